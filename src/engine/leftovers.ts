import { GLOBAL_REGION } from '../aws/clients.js';
import { readTagged } from '../aws/tagged-resources.js';
import type { ResourceState } from '../state/types.js';
import { createContext } from './context.js';
import {
  type Actual,
  type AnyResource,
  RESOURCE_TAG,
  type ResourceContext,
  STACK_TAG,
  type TaggedKind,
  unknown,
} from './contract.js';
import { type EngineEnv, emit, readOnlyEnv } from './env.js';
import { describeFailure, type StepFailure } from './failure.js';
import { buildGraph, type Graph, topologicalOrder } from './graph.js';
import { emitFailure, reportFailure } from './report-failure.js';

/**
 * Something that carries this stack's tag but is not what the graph wants: an old target group after
 * a port change, a second launch template or distribution from an interrupted or changed run. Plain
 * data; `actual` is what its handler's `find` read, what its `delete` gets.
 */
export interface Leftover {
  key: string;
  title: string;
  id: string;
  region: string;
  actual: Actual;
}

/** What up, plan and status say about a leftover. */
export const LEFTOVER_REASON = "carries this stack's tag but is not what the config wants";

/** The key under which plan, status and destroy report that the leftovers could not be looked for. */
export const LEFTOVERS_KEY = 'leftovers';

/** Why the leftovers could not be looked for (the Tagging API refused, say), as every step failure. */
export function lookupFailure(error: unknown): StepFailure {
  return describeFailure('looking for', "what carries this stack's tag", error);
}

/**
 * The ids a found resource stands for. A handler that finds its own duplicates (the Elastic IP's
 * `extras`, allocated twice by a retried call) removes them itself: they are not leftovers.
 */
export function wantedIds(actual: Actual | undefined): string[] {
  if (!actual) return [];
  const extras = (actual as { extras?: unknown }).extras;
  return [
    actual.id,
    ...(Array.isArray(extras) ? extras.filter((e): e is string => typeof e === 'string') : []),
  ];
}

/** A context for a leftover: its own state entry, kept in memory (the key's entry is the wanted one's). */
function leftoverContext(env: EngineEnv, resource: AnyResource, saved: ResourceState): ResourceContext {
  const ctx = createContext(env, resource, {
    outputs: (key) => env.store.get(key) ?? unknown,
    saved,
  });
  return {
    ...ctx,
    record: async (attributes) => {
      Object.assign(saved, attributes);
    },
  };
}

/**
 * Everything tagged with this stack in its region and us-east-1 (CloudFront, the CDN certificate)
 * that is not among `wanted`. Each candidate is read again by its handler's `find` from its id, so
 * that what the tag index still lists after a deletion (it lags) is not shown, and only a resource
 * found under that very id counts. Kinds without a TaggedKind (record sets, read-only lookups) and
 * resources tagged for another kind (instances launched by the Auto Scaling group) are passed over,
 * and so are the kinds in `unread` (their wanted resource could not be read, so might be among them).
 */
export async function findLeftovers(
  env: EngineEnv,
  wanted: Iterable<string>,
  unread: Iterable<string> = [],
): Promise<Leftover[]> {
  const kinds = env.taggedKinds;
  if (!kinds) return [];
  const wantedSet = new Set(wanted);
  const unreadKeys = new Set(unread);
  const byKey = new Map(env.resources.map((r) => [r.key, r]));
  const tagged = await readTagged(env.aws, [env.config.region, GLOBAL_REGION], {
    key: STACK_TAG,
    value: env.config.stack,
  });
  const candidates = tagged.filter((t) => {
    const key = t.tags[RESOURCE_TAG];
    const kind = key ? kinds[key] : undefined;
    if (!key || !kind || unreadKeys.has(key) || !byKey.has(key)) return false;
    return kind.type === t.type && !wantedSet.has(t.id);
  });
  const looked = await Promise.all(
    candidates.map(async (t): Promise<Leftover | undefined> => {
      const key = t.tags[RESOURCE_TAG] as string;
      const resource = byKey.get(key) as AnyResource;
      const saved = (kinds[key] as TaggedKind).saved(t.id, t.region);
      const actual: Actual | undefined = await resource.find(
        leftoverContext(readOnlyEnv(env), resource, saved),
      );
      if (!actual || actual.id !== t.id || actual.foreign) return undefined;
      return { key, title: resource.title, id: t.id, region: t.region, actual };
    }),
  );
  return inDeletionOrder(
    env,
    looked.filter((l): l is Leftover => l !== undefined),
  );
}

/** A leftover goes before what its kind depends on (the distribution before its certificate). */
function inDeletionOrder(env: EngineEnv, leftovers: Leftover[]): Leftover[] {
  const everything = new Set(env.resources.map((r) => r.key));
  const order = buildGraph(env.resources, env.config, everything).order;
  const rank = (key: string) => order.indexOf(key);
  return [...leftovers].sort((a, b) => rank(b.key) - rank(a.key) || a.id.localeCompare(b.id));
}

/**
 * Delete one leftover with its handler's own `delete`, with the usual events. Resolves to the failure
 * (reported), 'pending' when a deletion was started and not waited for (a distribution being disabled
 * with --no-wait), or 'deleted'.
 */
export async function deleteLeftover(
  env: EngineEnv,
  leftover: Leftover,
): Promise<StepFailure | 'pending' | 'deleted'> {
  const resource = env.resources.find((r) => r.key === leftover.key) as AnyResource;
  const saved = env.taggedKinds?.[leftover.key]?.saved(leftover.id, leftover.region) ?? {};
  const { key, title, id } = leftover;
  const t0 = Date.now();
  emit(env, { code: 'resource-started', key, title, action: 'delete' });
  emit(env, { code: 'resource-progress', key, message: `deleting leftover ${id}` });
  try {
    const result = await resource.delete(leftoverContext(env, resource, saved), leftover.actual);
    if (result === 'pending') {
      emit(env, {
        code: 'info',
        message: `${key}: deletion of leftover ${title} ${id} started; run the command again to finish`,
      });
      return 'pending';
    }
    emit(env, { code: 'resource-done', key, action: 'delete', id, durationMs: Date.now() - t0 });
    return 'deleted';
  } catch (error) {
    return emitFailure(env, key, describeFailure('deleting the leftover', title, error), t0);
  }
}

/** After `up`: the ids the state holds for the graph's resources, and replaced ones not deleted yet. */
export function wantedAfterUp(env: EngineEnv, graph: Graph): string[] {
  const ids = graph.order.map((key) => env.store.get(key)?.id);
  ids.push(...env.store.retired().map((entry) => entry.actual.id));
  return ids.filter((id): id is string => typeof id === 'string');
}

/**
 * `up`, after every resource converged (what replaced a leftover is in place): find the leftovers
 * beside `wanted` and delete them one after another, a dependent kind before what it uses. Stops at
 * the first that could not be deleted or was left pending: what it uses may still be held by it.
 */
export async function removeLeftovers(
  env: EngineEnv,
  wanted: Iterable<string>,
): Promise<{ deleted: number; failures: { key: string; failure: StepFailure }[] }> {
  let found: Leftover[];
  const t0 = Date.now();
  try {
    found = await findLeftovers(env, wanted);
  } catch (error) {
    const failures: { key: string; failure: StepFailure }[] = [];
    reportFailure(env, failures, LEFTOVERS_KEY, lookupFailure(error), t0);
    return { deleted: 0, failures };
  }
  let deleted = 0;
  for (const leftover of found) {
    if (env.signal.aborted) break;
    const result = await deleteLeftover(env, leftover);
    if (result === 'pending') break;
    if (result !== 'deleted') return { deleted, failures: [{ key: leftover.key, failure: result }] };
    deleted++;
  }
  return { deleted, failures: [] };
}

/**
 * The destroy walk with each leftover as a node of its own, placed as its kind is: deleted after the
 * resources that use its kind (an old target group after the listener and the Auto Scaling group),
 * before those its kind uses (an old distribution before the certificate).
 */
export function withLeftoverNodes(
  back: { order: string[]; deps: Map<string, string[]> },
  resources: AnyResource[],
  leftovers: Leftover[],
): { order: string[]; deps: Map<string, string[]>; nodes: Map<string, Leftover> } {
  const inWalk = new Set(back.order);
  const deps = new Map(back.order.map((key) => [key, [...(back.deps.get(key) ?? [])]]));
  const nodes = new Map<string, Leftover>();
  for (const leftover of leftovers) {
    const node = `${leftover.key} leftover ${leftover.id}`;
    nodes.set(node, leftover);
    const users = resources.filter((r) => inWalk.has(r.key) && r.dependsOn.includes(leftover.key));
    deps.set(
      node,
      users.map((r) => r.key),
    );
    const used = resources.find((r) => r.key === leftover.key)?.dependsOn ?? [];
    for (const key of used) deps.get(key)?.push(node);
  }
  return { order: topologicalOrder([...nodes.keys(), ...back.order], deps), deps, nodes };
}
