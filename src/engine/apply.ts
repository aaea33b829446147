import { UserError } from '../errors.js';
import type { ResourceState } from '../state/types.js';
import { actionOf } from './action.js';
import { createContext, type OutputLookup } from './context.js';
import type { Actual, AnyResource, Change } from './contract.js';
import { DEFAULT_CONCURRENCY, type EngineEnv, emit } from './env.js';
import type { PlanAction } from './events.js';
import { describeFailure, isInterruption, type StepFailure, throwIfAborted } from './failure.js';
import { buildGraph, type Graph } from './graph.js';
import { removeLeftovers, wantedAfterUp } from './leftovers.js';
import { mayTakeOver, proveOwnership, takeoverHint, takeoverSubject } from './ownership.js';
import { reportFailure } from './report-failure.js';
import { deleteRetired, removeUnwanted } from './retired.js';
import { awsCallCounts, countActions, finishRun, type RunResult } from './run-summary.js';
import { withScope } from './scope.js';
import { reportSkipped } from './skipped.js';
import { walk } from './walk.js';

/** Thrown out of a node after its failure was reported, so the walk skips its dependents. */
class NodeFailed extends Error {
  constructor(readonly failure: StepFailure) {
    super(failure.message);
  }
}

/** What is kept of a replaced resource until it is deleted: its actual state, as JSON. */
function asState(actual: Actual): ResourceState {
  return JSON.parse(JSON.stringify(actual)) as ResourceState;
}

/**
 * Every resource that may change something also waits for the read-only lookups (hosted zone, network)
 * that need nothing themselves: a missing hosted zone then stops the run before anything is created,
 * and the user fixes the config with nothing to clean up (exit 2).
 */
function gatedByLookups(graph: Graph): Map<string, string[]> {
  const lookups = graph.order.filter((key) => {
    const r = graph.resources.get(key);
    return r?.readOnly && (graph.deps.get(key) ?? []).every((d) => graph.resources.get(d)?.readOnly);
  });
  const deps = new Map<string, string[]>();
  for (const [key, keyDeps] of graph.deps) {
    deps.set(key, graph.resources.get(key)?.readOnly ? keyDeps : [...new Set([...keyDeps, ...lookups])]);
  }
  return deps;
}

/**
 * `up`: walk the graph; per resource desired → find → create | update | replace | takeover | noop, then
 * wait. Outputs are saved after every step; dependents start as soon as outputs are known (before the
 * wait ends, unless `readyBeforeDependents`). A replaced resource is kept under `retired` and deleted
 * at the end, once its consumers moved to the new one. Ctrl-C: no new step starts; what runs finishes.
 */
export async function apply(env: EngineEnv): Promise<RunResult> {
  const started = Date.now();
  const graph = buildGraph(env.resources, env.config);
  const outputs = new Map<string, Record<string, unknown>>();
  const actions = new Map<string, PlanAction>();
  const failures: RunResult['failures'] = [];
  const pending: string[] = [];
  emit(env, {
    code: 'run-started',
    command: 'up',
    stack: env.config.stack,
    resources: graph.order.length,
    ...withScope(env),
  });

  const lookup: OutputLookup = (key) => {
    if (!graph.resources.has(key)) return undefined;
    return outputs.get(key) ?? env.store.get(key);
  };

  const saveOutputs = async (resource: AnyResource, actual: Actual) => {
    const out = resource.outputs(actual) as Record<string, unknown>;
    outputs.set(resource.key, out);
    env.store.merge(resource.key, { id: actual.id, ...out });
    await env.store.save();
  };

  const converge = async (resource: AnyResource, node: { ready(): void; waiting(): void }) => {
    const key = resource.key;
    const t0 = Date.now();
    let step = 'computing the desired state of';
    let ctx = createContext(env, resource, { outputs: lookup });
    try {
      throwIfAborted(env.signal);
      const desired = await resource.desired(ctx);
      step = 'reading';
      // Dependencies are proved (or taken over) before a dependent starts: a foreign one stops them.
      const found: Actual | undefined = await resource.find(ctx);
      const actual = found && proveOwnership(resource, ctx, found, () => undefined);
      let action: PlanAction = 'create';
      let changes: Change[] = [];
      if (actual) {
        changes = resource.diff(desired, actual);
        // A lookup (hosted zone, network) is never changed: its diff is only for plan and status.
        if (resource.readOnly) action = 'noop';
        else action = actual.foreign ? 'takeover' : actionOf(changes);
      }
      throwIfAborted(env.signal);
      emit(env, {
        code: 'resource-started',
        key,
        title: resource.title,
        action: resource.readOnly ? 'noop' : action,
      });
      let result: Actual;
      if (!actual) {
        // A read-only resource's create only throws the UserError that says what to do.
        step = resource.readOnly ? 'looking up' : 'creating';
        result = await resource.create(ctx, desired);
      } else if (action === 'takeover') {
        const ask = (question: string) =>
          env.confirm({ code: 'resource-takeover', key, question, default: false });
        if (!(await mayTakeOver(resource, actual, ctx, ask))) {
          throw new UserError(
            `${takeoverSubject(resource, actual)}; not taken over`,
            actual.unproved
              ? `${takeoverHint(key)}; if the state file came from another stack, remove its "${key}" entry`
              : 'run with --yes to take it over, or remove it first',
          );
        }
        step = 'taking over';
        ctx = createContext(env, resource, { outputs: lookup, saved: ctx.saved, confirmed: true });
        result = changes.length > 0 ? await resource.update(ctx, desired, actual, changes) : actual;
      } else if (action === 'replace') {
        // The old one stays until its consumers use the new one; kept under `retired` so a crash
        // between here and its deletion does not leak it.
        env.store.addRetired({ key, actual: asState(actual) });
        env.store.set(key, {});
        await env.store.save();
        ctx = createContext(env, resource, { outputs: lookup, saved: {} });
        step = 'creating the replacement of';
        result = await resource.create(ctx, desired);
      } else if (action === 'update') {
        step = 'updating';
        result = await resource.update(ctx, desired, actual, changes);
      } else {
        result = actual;
      }
      step = 'saving the outputs of';
      await saveOutputs(resource, result);
      const wait = resource.wait && (env.options.wait || !resource.optionalWait) ? resource.wait : undefined;
      if (resource.wait && !wait) pending.push(key);
      if (!wait || !resource.readyBeforeDependents) node.ready();
      if (wait) {
        node.waiting();
        step = 'waiting for';
        result = await wait.call(resource, ctx, result);
        await saveOutputs(resource, result);
        node.ready();
      }
      actions.set(key, action);
      emit(env, {
        code: 'resource-done',
        key,
        action,
        id: result.id,
        durationMs: Date.now() - t0,
        ...(changes.length ? { changes } : {}),
      });
    } catch (error) {
      if (isInterruption(error, env.signal)) {
        reportSkipped(env, key, 'interrupted');
        throw error;
      }
      const failure = describeFailure(step, resource.title, error);
      reportFailure(env, failures, key, failure, t0);
      throw new NodeFailed(failure);
    }
  };

  const walked = await walk({
    order: graph.order,
    deps: gatedByLookups(graph),
    concurrency: env.concurrency ?? DEFAULT_CONCURRENCY,
    signal: env.signal,
    onSkip: (key, reason) => reportSkipped(env, key, reason),
    work: async (node) => {
      const resource = graph.resources.get(node.key);
      if (resource) await converge(resource, node);
    },
  });

  // Only after a walk where every resource converged: the consumers of a replaced resource have moved.
  const cleanup =
    failures.length === 0 && !env.signal.aborted ? await cleanUp(env, graph) : { deleted: 0, failures: [] };
  failures.push(...cleanup.failures);
  const leftovers =
    failures.length === 0 && !env.signal.aborted
      ? await removeLeftovers(env, wantedAfterUp(env, graph))
      : { deleted: 0, failures: [] };
  failures.push(...leftovers.failures);
  const interrupted = env.signal.aborted;
  return finishRun(env, 'up', {
    ok: failures.length === 0 && !interrupted,
    interrupted,
    states: walked.states,
    actions,
    failures,
    counts: countActions(
      actions,
      walked.states,
      Array<PlanAction>(cleanup.deleted + leftovers.deleted).fill('delete'),
    ),
    durationMs: Date.now() - started,
    ...awsCallCounts(env.aws),
    outputs,
    pending,
  });
}

/**
 * After every resource converged: delete the replaced resources kept under `retired` (retired.ts), and
 * what an older config enabled and this one does not.
 */
async function cleanUp(
  env: EngineEnv,
  graph: Graph,
): Promise<{ deleted: number; failures: RunResult['failures'] }> {
  const failures: RunResult['failures'] = [];
  let deleted = await deleteRetired(env, failures);
  for (const resource of graph.disabled) {
    if (!env.store.get(resource.key) || env.signal.aborted) continue;
    try {
      const ctx = createContext(env, resource, { outputs: (key) => env.store.get(key) });
      const found = await resource.find(ctx);
      const actual = found && proveOwnership(resource, ctx, found, () => undefined);
      if (!actual || actual.foreign || resource.readOnly) {
        env.store.remove(resource.key);
        await env.store.save();
        continue;
      }
      const failure = await removeUnwanted(env, resource, actual, 'the no longer configured', () =>
        env.store.remove(resource.key),
      );
      if (failure) failures.push({ key: resource.key, failure });
      else deleted++;
    } catch (error) {
      failures.push({ key: resource.key, failure: describeFailure('reading', resource.title, error) });
    }
  }
  return { deleted, failures };
}
