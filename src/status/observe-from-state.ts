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

/** Every field of what was found equals what the state file says. */
function sameAsSaved(found: Record<string, unknown> | undefined, saved: Record<string, unknown>): boolean {
  if (!found) return false;
  return Object.entries(found).every(
    ([field, value]) => JSON.stringify(saved[field]) === JSON.stringify(value),
  );
}

/**
 * The read-only walk in one step, when the state file holds every resource of the stack: each
 * resource's dependencies hand over the outputs saved by the last `up`, so every resource is looked up
 * at once (bounded) instead of level by level. The guess is then checked: when every dependency was
 * found in sync with the outputs saved (not missing, not unreadable, not to be replaced), each
 * resource saw exactly what the ordered walk would have handed it, and the result is the same.
 * Otherwise (a first run, a lost state file, a replaced or drifted dependency) this gives up and
 * returns undefined: the caller runs the ordered walk. Hooks are called as resources are found.
 */
export async function observeFromState(
  env: EngineEnv,
  hooks: ObserveHooks = {},
): Promise<Observation[] | undefined> {
  const graph = buildGraph(env.resources, env.config);
  if (!env.store.exists || graph.order.some((key) => env.store.get(key) === undefined)) return undefined;
  const readOnlyEnv: EngineEnv = { ...env, options: { ...env.options, readOnly: true } };
  const outputs = (key: string) => (graph.resources.has(key) ? env.store.get(key) : undefined);
  const limit = pLimit(env.concurrency ?? DEFAULT_CONCURRENCY);

  const observations = await Promise.all(
    graph.order.map((key) =>
      limit(async () => {
        const resource = graph.resources.get(key);
        if (!resource || env.signal.aborted) return undefined;
        const [observation, ctx] = await lookUp(readOnlyEnv, resource, outputs);
        await hooks.onObserved?.(observation, ctx);
        return observation;
      }),
    ),
  );

  const byKey = new Map(observations.filter((o) => o !== undefined).map((o) => [o.key, o]));
  for (const key of graph.order) {
    for (const dependency of graph.deps.get(key) ?? []) {
      const seen = byKey.get(dependency);
      const usable = seen && !seen.error && seen.action !== 'create' && seen.action !== 'replace';
      if (!usable || !sameAsSaved(seen.outputs, env.store.get(dependency) ?? {})) return undefined;
    }
  }
  const all = graph.order.map((key) => byKey.get(key));
  return all.every((o) => o !== undefined) ? all : undefined;
}
