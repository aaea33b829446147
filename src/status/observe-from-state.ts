import pLimit from 'p-limit';
import { createContext } from '../engine/context.js';
import type { Actual, AnyResource, Change, ResourceContext } from '../engine/contract.js';
import { DEFAULT_CONCURRENCY, type EngineEnv } from '../engine/env.js';
import { describeFailure } from '../engine/failure.js';
import { buildGraph } from '../engine/graph.js';
import type { Observation, ObservedAction, ObserveHooks } from '../engine/observe.js';

function actionOf(changes: Change[]): ObservedAction {
  if (changes.some((c) => c.action === 'replace')) return 'replace';
  return changes.length > 0 ? 'update' : 'noop';
}

/**
 * One resource looked at with the given dependency outputs: the same steps, in the same order and with
 * the same results, as one node of the engine's read-only walk (src/engine/observe.ts).
 */
async function lookUp(
  env: EngineEnv,
  resource: AnyResource,
  outputs: (key: string) => Record<string, unknown> | undefined,
): Promise<[Observation, ResourceContext]> {
  const base = { key: resource.key, title: resource.title, changes: [] as Change[] };
  const ctx = createContext(env, resource, { outputs });
  let step = 'computing the desired state of';
  try {
    const desired = await resource.desired(ctx);
    step = 'reading';
    const actual: Actual | undefined = await resource.find(ctx);
    if (!actual) {
      if (resource.readOnly) {
        step = 'looking up';
        await resource.create(ctx, desired);
        return [{ ...base, action: 'noop', error: `${resource.title} not found` }, ctx];
      }
      return [{ ...base, action: 'create' }, ctx];
    }
    step = 'comparing';
    const changes = resource.diff(desired, actual);
    const observation: Observation = { ...base, action: actionOf(changes), actual, changes };
    if (actual.foreign) {
      observation.action = 'takeover';
      observation.reason = actual.foreign;
    }
    observation.outputs = resource.outputs(actual);
    return [observation, ctx];
  } catch (error) {
    const failure = describeFailure(step, resource.title, error);
    const observation: Observation = { ...base, action: 'noop', error: failure.message };
    if (failure.hint) observation.hint = failure.hint;
    return [observation, ctx];
  }
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
 * undefined, and the caller runs that walk. Hooks are called as resources are found (again when looked
 * up again: the later call stands).
 */
export async function observeFromState(
  env: EngineEnv,
  hooks: ObserveHooks = {},
): Promise<Observation[] | undefined> {
  const graph = buildGraph(env.resources, env.config);
  if (!env.store.exists || graph.order.some((key) => env.store.get(key) === undefined)) return undefined;
  const readOnlyEnv: EngineEnv = { ...env, options: { ...env.options, readOnly: true } };
  const limit = pLimit(env.concurrency ?? DEFAULT_CONCURRENCY);
  type Outputs = Record<string, unknown> | undefined;
  /** What each resource was handed, per dependency. */
  const handed = new Map<string, Map<string, Outputs>>();
  const observed = new Map<string, Observation>();

  const look = async (resource: AnyResource, source: (key: string) => Outputs) => {
    const given = new Map<string, Outputs>();
    const outputs = (key: string) => {
      const value = graph.resources.has(key) ? source(key) : undefined;
      given.set(key, value);
      return value;
    };
    const [observation, ctx] = await lookUp(readOnlyEnv, resource, outputs);
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
    const stale = deps.some((d) => given?.has(d) && !sameAs(found(d), given.get(d)));
    if (stale) await look(resource, found);
  }
  return graph.order.map((key) => observed.get(key)).filter((o): o is Observation => o !== undefined);
}
