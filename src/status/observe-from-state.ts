import pLimit from 'p-limit';
import type { AnyResource } from '../engine/contract.js';
import { DEFAULT_CONCURRENCY, type EngineEnv } from '../engine/env.js';
import { buildGraph } from '../engine/graph.js';
import { lookResource, type Observation, type ObserveHooks } from '../engine/observe.js';

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
