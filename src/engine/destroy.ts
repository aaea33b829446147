import type { RetiredEntry } from '../state/store.js';
import { createContext, type OutputLookup } from './context.js';
import { type Actual, type AnyResource, unknown } from './contract.js';
import { DEFAULT_CONCURRENCY, type EngineEnv, emit, readOnlyEnv } from './env.js';
import type { PlanAction } from './events.js';
import { describeFailure, isInterruption, type StepFailure, throwIfAborted } from './failure.js';
import { buildGraph, type Graph, reversed } from './graph.js';
import {
  deleteLeftover,
  findLeftovers,
  LEFTOVERS_KEY,
  type Leftover,
  lookupFailure,
  wantedIds,
  withLeftoverNodes,
} from './leftovers.js';
import { notDeleted, proveOwnership } from './ownership.js';
import { reportFailure } from './report-failure.js';
import { deleteRetired } from './retired.js';
import { awsCallCounts, type Counts, finishRun, type RunResult } from './run-summary.js';
import { type Scope, withScope } from './scope.js';
import { notChecked, reportSkipped } from './skipped.js';
import { walk } from './walk.js';

/** `destroy --keep-bucket` keeps this resource (and its content). */
export const KEPT_BY_KEEP_BUCKET = 'bucket';

/** One resource as destroy sees it. Plain data. */
export interface DestroyTarget {
  key: string;
  title: string;
  /** delete: found and this stack's; keep: found and not to be deleted; absent: nothing found. */
  action: 'delete' | 'keep' | 'absent';
  actual?: Actual;
  /** Why it is kept: not this stack's, read-only, --keep-bucket. */
  reason?: string;
  /** What the handler can tell about it (a bucket's object count and size). */
  detail?: string;
  error?: string;
  hint?: string;
}

export interface DestroyPlan {
  stack: string;
  /** Account, region and profile of the run. */
  scope?: Scope;
  resources: DestroyTarget[];
  /** Replaced resources from an earlier `up` that were never deleted. */
  retired: RetiredEntry[];
  /** What carries the stack's tag beside the resources above: deleted too. */
  leftovers: Leftover[];
  summary: { delete: number; keep: number; errors: number };
}

/**
 * A found resource's outputs for the lookups of its dependents. Destroy goes on without them (the
 * state entry stands in) when a half-deleted resource no longer has what `outputs` reads.
 */
function outputsOf(resource: AnyResource, actual: Actual): Record<string, unknown> | undefined {
  try {
    return resource.outputs(actual) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The graph destroy walks: enabled resources, plus disabled ones an older config left in the state. */
function destroyGraph(env: EngineEnv): Graph {
  const inState = new Set(env.store.keys());
  return buildGraph(env.resources, env.config, inState);
}

/**
 * Find everything destroy would delete, read-only, in dependency order (a handler may need its
 * dependencies' outputs to look: the listener is found through its load balancer). The state id comes
 * first, then name and tag (each handler's `find`).
 */
export async function discoverForDestroy(
  env: EngineEnv,
  options: { describe?: boolean } = {},
): Promise<DestroyPlan> {
  const lookEnv = readOnlyEnv(env);
  const graph = destroyGraph(env);
  const targets = new Map<string, DestroyTarget>();
  const found = new Map<string, Record<string, unknown>>();

  const lookup: OutputLookup = (key) => {
    if (!graph.resources.has(key)) return undefined;
    return found.get(key) ?? env.store.get(key) ?? unknown;
  };

  const look = async (resource: AnyResource): Promise<DestroyTarget> => {
    const base = { key: resource.key, title: resource.title };
    const ctx = createContext(lookEnv, resource, { outputs: lookup });
    let actual: Actual | undefined;
    try {
      const found = await resource.find(ctx);
      actual = found && proveOwnership(resource, ctx, found, (key) => targets.get(key)?.actual?.foreign);
    } catch (error) {
      const missingDependency = (graph.deps.get(resource.key) ?? []).find(
        (d) => targets.get(d)?.action === 'absent',
      );
      // A read-only resource is never deleted, and a resource found through a dependency that is
      // gone (a listener through its load balancer) is gone with it.
      if (resource.readOnly || missingDependency) return { ...base, action: 'absent' };
      const failure = describeFailure('reading', resource.title, error);
      return {
        ...base,
        action: 'absent',
        error: failure.message,
        ...(failure.hint ? { hint: failure.hint } : {}),
      };
    }
    if (!actual) return { ...base, action: 'absent' };
    const out = outputsOf(resource, actual);
    if (out) found.set(resource.key, out);
    let target: DestroyTarget = { ...base, action: 'delete', actual };
    if (actual.foreign) target = { ...target, action: 'keep', reason: `not this stack's: ${actual.foreign}` };
    else if (resource.readOnly) target = { ...target, action: 'keep', reason: 'never deleted by tekamolo' };
    else if (resource.key === KEPT_BY_KEEP_BUCKET && env.options.keepBucket) {
      target = { ...target, action: 'keep', reason: '--keep-bucket' };
    }
    if (options.describe && target.action === 'delete' && resource.describe) {
      try {
        target.detail = await resource.describe(ctx, actual);
      } catch {
        // The detail is a courtesy in the confirmation; its absence changes nothing.
      }
    }
    return target;
  };

  await walk({
    order: graph.order,
    deps: graph.deps,
    concurrency: env.concurrency ?? DEFAULT_CONCURRENCY,
    signal: env.signal,
    onSkip: (key, reason) => targets.set(key, { ...notChecked(graph, key, reason), action: 'absent' }),
    async work(node) {
      const resource = graph.resources.get(node.key);
      if (resource) targets.set(node.key, await look(resource));
    },
  });

  const resources = graph.order.map((k) => targets.get(k)).filter((t): t is DestroyTarget => t !== undefined);
  const retired = env.store.retired();
  let leftovers: Leftover[] = [];
  try {
    leftovers = await findLeftovers(
      lookEnv,
      [...resources.flatMap((t) => wantedIds(t.actual)), ...retired.map((r) => String(r.actual.id))],
      resources.filter((t) => t.error).map((t) => t.key),
    );
  } catch (error) {
    // Destroy goes on with what it found; the run fails at the end, naming this.
    const failure = lookupFailure(error);
    resources.push({
      key: LEFTOVERS_KEY,
      title: 'leftovers',
      action: 'absent',
      error: failure.message,
      ...(failure.hint ? { hint: failure.hint } : {}),
    });
  }
  return {
    stack: env.config.stack,
    ...withScope(env),
    resources,
    retired,
    leftovers,
    summary: {
      delete: resources.filter((t) => t.action === 'delete').length + retired.length + leftovers.length,
      keep: resources.filter((t) => t.action === 'keep').length,
      errors: resources.filter((t) => t.error).length,
    },
  };
}

/** A deletion that was started and not waited for: its dependencies stay until the next destroy. */
class PendingDeletion extends Error {}
class NodeFailed extends Error {}

/**
 * Delete what `discoverForDestroy` found, the graph walked backwards (a resource after everything that
 * uses it), in parallel where possible. Each state entry is removed after its delete; when nothing is
 * left, the state file is removed (its .bak stays).
 */
export async function destroy(env: EngineEnv, plan: DestroyPlan): Promise<RunResult> {
  const started = Date.now();
  const graph = destroyGraph(env);
  const back = withLeftoverNodes(reversed(graph), env.resources, plan.leftovers);
  let leftoversDeleted = 0;
  const targets = new Map(plan.resources.map((t) => [t.key, t]));
  const actions = new Map<string, PlanAction>();
  const failures: { key: string; failure: StepFailure }[] = [];
  const pending: string[] = [];
  const outputs = new Map<string, Record<string, unknown>>();
  for (const t of plan.resources) {
    const resource = graph.resources.get(t.key);
    const out = t.actual && resource ? outputsOf(resource, t.actual) : undefined;
    if (out) outputs.set(t.key, out);
  }
  const lookup: OutputLookup = (key) =>
    graph.resources.has(key) ? (outputs.get(key) ?? env.store.get(key) ?? unknown) : undefined;
  emit(env, {
    code: 'run-started',
    command: 'destroy',
    stack: env.config.stack,
    resources: plan.summary.delete,
    ...withScope(env),
  });

  const deleteOne = async (resource: AnyResource, target: DestroyTarget) => {
    const key = resource.key;
    if (target.action !== 'delete' || !target.actual) {
      if (target.error) throw new NodeFailed(target.error);
      if (target.action === 'keep' && target.reason === '--keep-bucket') return;
      // Kept, and the run fails for it: what the state named is not this stack's, and the user should
      // know that destroy left it (what depends on it is still deleted).
      if (target.actual?.unproved)
        reportFailure(env, failures, key, notDeleted(resource, target.actual), Date.now());
      if (env.store.get(key)) {
        env.store.remove(key);
        await env.store.save();
      }
      return;
    }
    const t0 = Date.now();
    throwIfAborted(env.signal);
    emit(env, { code: 'resource-started', key, title: resource.title, action: 'delete' });
    const ctx = createContext(env, resource, { outputs: lookup });
    try {
      const result = await resource.delete(ctx, target.actual);
      if (result === 'pending') {
        pending.push(key);
        emit(env, {
          code: 'info',
          message: `${key}: deletion of ${resource.title} ${target.actual.id} started; run \`tekamolo destroy\` again to finish`,
        });
        throw new PendingDeletion();
      }
      env.store.remove(key);
      await env.store.save();
      actions.set(key, 'delete');
      emit(env, {
        code: 'resource-done',
        key,
        action: 'delete',
        id: target.actual.id,
        durationMs: Date.now() - t0,
      });
    } catch (error) {
      if (error instanceof PendingDeletion) throw error;
      if (isInterruption(error, env.signal)) {
        reportSkipped(env, key, 'interrupted');
        throw error;
      }
      const failure = describeFailure('deleting', resource.title, error);
      reportFailure(env, failures, key, failure, t0);
      throw new NodeFailed(failure.message);
    }
  };

  const walked = await walk({
    order: back.order,
    deps: back.deps,
    concurrency: env.concurrency ?? DEFAULT_CONCURRENCY,
    signal: env.signal,
    onSkip: (key, reason) => reportSkipped(env, key, reason),
    blockedReason: (dependent) =>
      pending.includes(dependent)
        ? `${dependent} is still being deleted`
        : `${dependent} could not be deleted`,
    async work(node) {
      const leftover = back.nodes.get(node.key);
      if (leftover) {
        const result = await deleteLeftover(env, leftover);
        if (result === 'deleted') leftoversDeleted++;
        else if (result === 'pending') {
          pending.push(node.key);
          throw new PendingDeletion();
        } else {
          failures.push({ key: leftover.key, failure: result });
          throw new NodeFailed(result.message);
        }
        return;
      }
      const resource = graph.resources.get(node.key);
      const target = targets.get(node.key);
      if (resource && target) await deleteOne(resource, target);
    },
  });

  for (const [key, target] of targets) {
    if (target.error && !failures.some((f) => f.key === key)) {
      failures.push({ key, failure: { message: target.error, userError: false } });
    }
  }
  const interrupted = env.signal.aborted;
  let retiredDeleted = 0;
  if (!interrupted && failures.length === 0 && pending.length === 0) {
    retiredDeleted = await deleteRetired(env, failures);
    if (env.store.empty) await env.store.removeFile();
  }
  const counts: Counts = {};
  const deleted = actions.size + retiredDeleted + leftoversDeleted;
  if (deleted) counts.delete = deleted;
  const skipped = [...walked.states.values()].filter((s) => s === 'skipped').length;
  if (skipped) counts.skipped = skipped;
  if (failures.length) counts.failed = failures.length;
  return finishRun(env, 'destroy', {
    ok: failures.length === 0 && !interrupted,
    interrupted,
    states: walked.states,
    actions,
    failures,
    counts,
    durationMs: Date.now() - started,
    ...awsCallCounts(env.aws),
    outputs: new Map(),
    pending,
  });
}

/** `plan --destroy`: the same look as destroy's, without deleting. */
export function destroyPlanLine(plan: DestroyPlan): string {
  const s = plan.summary;
  const kept = s.keep ? `, ${s.keep} kept` : '';
  return `${s.delete} to delete${kept}${s.errors ? `, ${s.errors} could not be checked` : ''}`;
}
