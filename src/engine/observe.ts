import pLimit from 'p-limit';
import { actionOf } from './action.js';
import { createContext, type OutputLookup } from './context.js';
import { type Actual, type AnyResource, type Change, type ResourceContext, unknown } from './contract.js';
import { DEFAULT_CONCURRENCY, type EngineEnv, readOnlyEnv } from './env.js';
import { describeFailure } from './failure.js';
import { buildGraph, type Graph } from './graph.js';
import { type ForeignLookup, proveOwnership, takeoverHint } from './ownership.js';
import { notChecked } from './skipped.js';
import { walk } from './walk.js';

export type ObservedAction = 'create' | 'update' | 'replace' | 'takeover' | 'noop';

/** What `up` would do to one resource, from a read-only look at AWS. Plain data. */
export interface Observation {
  key: string;
  title: string;
  action: ObservedAction;
  /** What was found (absent for a create). */
  actual?: Actual;
  changes: Change[];
  /** The outputs of what was found. */
  outputs?: Record<string, unknown>;
  /** Why: the takeover's reason, or the dependency whose creation makes this a create. */
  reason?: string;
  /** The resource could not be read (or a read-only resource is missing): what and why. */
  error?: string;
  hint?: string;
  /** The error is bad input (a UserError: a missing hosted zone), or follows from one. */
  badInput?: boolean;
  /**
   * A read-only resource (the hosted zone, the network) that does not exist, which `up` cannot create:
   * what its lookup said to do, without the step (`error` has it with the step, for `plan`).
   */
  missing?: string;
  /**
   * Not looked up because of this dependency: it will be created (action `create`: there is nothing to
   * find yet) or it could not be read (`error`).
   */
  blockedBy?: string;
  /** Not looked up because the walk stopped before it (Ctrl-C); `error` says why. */
  skipped?: boolean;
}

export interface ObserveOptions {
  /**
   * Called for each resource as soon as it is observed, with the context its handler calls used
   * (undefined when it was not looked up): `status` asks `describe` and `health` here. A resource may be
   * observed again (`fromState`): the later call stands.
   */
  onObserved?(observation: Observation, ctx: ResourceContext | undefined): Promise<void> | void;
  /**
   * Look up every resource at once with the outputs the state file saved from the last `up`, when it
   * holds every resource, instead of level by level (`status`): the same result, sooner.
   */
  fromState?: boolean;
}

/** describeFailure's message is "<step> <title>: <what AWS or the handler said>": the last part. */
function withoutStep(message: string, step: string, title: string): string {
  const prefix = `${step} ${title}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/**
 * One resource looked at, read-only, with the dependency outputs `outputs` hands over: its desired
 * state, what exists (find) and the difference, with the context its handler calls used. This is one
 * node of either walk. Nothing is changed: the handlers see read-only options, so `record` never
 * writes the state.
 */
export async function lookResource(
  env: EngineEnv,
  resource: AnyResource,
  outputs: OutputLookup,
  foreignDependency: ForeignLookup,
): Promise<[Observation, ResourceContext]> {
  const base = { key: resource.key, title: resource.title, changes: [] as Change[] };
  const ctx = createContext(readOnlyEnv(env), resource, { outputs });
  let step = 'computing the desired state of';
  try {
    const desired = await resource.desired(ctx);
    step = 'reading';
    const found: Actual | undefined = await resource.find(ctx);
    const actual = found && proveOwnership(resource, ctx, found, foreignDependency);
    if (!actual) {
      if (resource.readOnly) {
        // A read-only resource's create only throws the UserError that says what to do.
        step = 'looking up';
        await resource.create(ctx, desired);
        const notFound = `${resource.title} not found`;
        return [{ ...base, action: 'noop', error: notFound, missing: notFound }, ctx];
      }
      return [{ ...base, action: 'create' }, ctx];
    }
    step = 'comparing';
    const changes = resource.diff(desired, actual);
    const observation: Observation = { ...base, action: actionOf(changes), actual, changes };
    if (actual.foreign) {
      observation.action = 'takeover';
      observation.reason = actual.foreign;
      if (actual.unproved) observation.hint = takeoverHint(resource.key);
    }
    observation.outputs = resource.outputs(actual);
    return [observation, ctx];
  } catch (error) {
    const failure = describeFailure(step, resource.title, error);
    const observation: Observation = { ...base, action: 'noop', error: failure.message };
    if (failure.hint) observation.hint = failure.hint;
    if (failure.userError) observation.badInput = true;
    if (step === 'looking up') observation.missing = withoutStep(failure.message, step, resource.title);
    return [observation, ctx];
  }
}

/**
 * The read-only walk: each resource's desired state, what exists (find) and the difference, in
 * dependency order, independent resources in parallel. Nothing is changed, not even the state file.
 * Every resource is looked up, also when a dependency will be created; a dependency that will be
 * created or replaced hands unknown outputs to its dependents' desired state. With `fromState`, every
 * resource is first looked up at once (`observeFromState`); the ordered walk runs when that gives up.
 */
export async function observe(env: EngineEnv, options: ObserveOptions = {}): Promise<Observation[]> {
  const graph = buildGraph(env.resources, env.config);
  const fast = options.fromState ? await observeFromState(env, graph, options) : undefined;
  return fast ?? observeInOrder(env, graph, options);
}

async function observeInOrder(env: EngineEnv, graph: Graph, hooks: ObserveOptions): Promise<Observation[]> {
  const observed = new Map<string, Observation>();

  const outputs: OutputLookup = (key) => {
    if (!graph.resources.has(key)) return undefined;
    const o = observed.get(key);
    if (!o || o.action === 'replace' || !o.outputs) return unknown;
    const changed =
      o.action === 'update' ? graph.resources.get(key)?.outputsChangedBy?.(o.changes) : undefined;
    if (changed?.length)
      return { ...o.outputs, ...Object.fromEntries(changed.map((field) => [field, unknown])) };
    return o.outputs;
  };

  const look = async (resource: AnyResource): Promise<[Observation, ResourceContext | undefined]> => {
    const base = { key: resource.key, title: resource.title, changes: [] as Change[] };
    const deps = graph.deps.get(resource.key) ?? [];
    for (const dep of deps) {
      const d = observed.get(dep);
      if (d?.error) {
        const blocked: Observation = {
          ...base,
          action: 'noop',
          error: `not checked: ${dep} could not be read`,
          blockedBy: dep,
        };
        if (d.badInput) blocked.badInput = true;
        return [blocked, undefined];
      }
    }
    // A dependency that will be created does not mean its dependents are absent: after a lost state
    // file and a port change, only the target group is new and the listener that will use it exists.
    // Each is looked up with that dependency's outputs unknown (a handler that finds through the
    // dependency, a listener through its load balancer, returns nothing without a call), so that plan
    // says what up will do.
    const [observation, ctx] = await lookResource(
      env,
      resource,
      outputs,
      (key) => observed.get(key)?.actual?.foreign,
    );
    const creating = deps.find((dep) => observed.get(dep)?.action === 'create');
    if (observation.action === 'create' && !observation.error && creating) {
      observation.reason = `${creating} will be created`;
      observation.blockedBy = creating;
    }
    return [observation, ctx];
  };

  await walk({
    order: graph.order,
    deps: graph.deps,
    concurrency: env.concurrency ?? DEFAULT_CONCURRENCY,
    signal: env.signal,
    onSkip: (key, reason) =>
      observed.set(key, { ...notChecked(graph, key, reason), action: 'noop', changes: [], skipped: true }),
    async work(node) {
      const resource = graph.resources.get(node.key);
      if (!resource) return;
      const [observation, ctx] = await look(resource);
      observed.set(node.key, observation);
      await hooks.onObserved?.(observation, ctx);
    },
  });

  return graph.order.map((key) => observed.get(key)).filter((o): o is Observation => o !== undefined);
}

/**
 * Every output field of what was found equals what the resource was handed. A state entry holds more
 * than the outputs (what `record` wrote); those extra fields are not outputs and not compared.
 */
function sameAs(
  found: Record<string, unknown> | undefined,
  handed: Record<string, unknown> | undefined,
): boolean {
  if (!found || !handed) return found === handed;
  return Object.entries(found).every(
    ([field, value]) => JSON.stringify(handed[field]) === JSON.stringify(value),
  );
}

/**
 * The read-only walk in one step, when the state file holds every resource of the stack: each
 * resource's dependencies hand over the outputs saved by the last `up`, so every resource is looked up
 * at once (bounded) instead of level by level. The guess is then checked in dependency order: a
 * resource whose dependency was found with other outputs than the ones it was handed is looked up
 * again with the real ones (a certificate saved while pending and issued since), so each resource ends
 * up with exactly what the ordered walk would have handed it. When a dependency is missing, unreadable
 * or to be replaced, dependents are not looked up at all in the ordered walk: this gives up and returns
 * undefined, and the ordered walk runs. Hooks are called as resources are found (again when looked up
 * again: the later call stands).
 */
async function observeFromState(
  env: EngineEnv,
  graph: Graph,
  hooks: ObserveOptions,
): Promise<Observation[] | undefined> {
  if (!env.store.exists || graph.order.some((key) => env.store.get(key) === undefined)) return undefined;
  const limit = pLimit(env.concurrency ?? DEFAULT_CONCURRENCY);
  type Outputs = Record<string, unknown> | undefined;
  /** What each resource was handed, per dependency. */
  const handed = new Map<string, Map<string, Outputs>>();
  const observed = new Map<string, Observation>();
  const foreign = (key: string) => observed.get(key)?.actual?.foreign;

  const look = async (resource: AnyResource, source: (key: string) => Outputs) => {
    const given = new Map<string, Outputs>();
    const outputs = (key: string) => {
      const value = graph.resources.has(key) ? source(key) : undefined;
      given.set(key, value);
      return value;
    };
    const [observation, ctx] = await lookResource(env, resource, outputs, foreign);
    handed.set(resource.key, given);
    observed.set(resource.key, observation);
    await hooks.onObserved?.(observation, ctx);
  };

  const fromState = (key: string) => env.store.get(key);
  await Promise.all(
    graph.order.map((key) =>
      limit(async () => {
        const resource = graph.resources.get(key);
        if (resource && !env.signal.aborted) await look(resource, fromState);
      }),
    ),
  );

  const found = (key: string) => observed.get(key)?.outputs;
  for (const key of graph.order) {
    const resource = graph.resources.get(key);
    if (!resource || !observed.has(key) || env.signal.aborted) return undefined;
    const deps = graph.deps.get(key) ?? [];
    for (const dependency of deps) {
      const seen = observed.get(dependency);
      if (!seen || seen.error || seen.action === 'create' || seen.action === 'replace') return undefined;
    }
    const given = handed.get(key);
    // A foreign dependency may have been looked up after this one: its ownership is proved again.
    const stale = deps.some((d) => (given?.has(d) && !sameAs(found(d), given.get(d))) || foreign(d));
    if (stale) await look(resource, found);
  }
  return graph.order.map((key) => observed.get(key)).filter((o): o is Observation => o !== undefined);
}
