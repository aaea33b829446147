import type { Config } from '../config/schema.js';
import type { AnyResource } from './contract.js';

/** The stack as a graph: enabled resources only, in a dependency order (each after its dependencies). */
export interface Graph {
  /** Keys in a topological order: dependencies first. */
  order: string[];
  resources: Map<string, AnyResource>;
  /** Enabled dependencies of each key. */
  deps: Map<string, string[]>;
  /** Keys that depend on each key. */
  dependents: Map<string, string[]>;
  /** Resources of the stack that this config does not enable. */
  disabled: AnyResource[];
}

export class GraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GraphError';
  }
}

function isEnabled(resource: AnyResource, config: Config): boolean {
  return resource.enabled ? resource.enabled(config) : true;
}

/**
 * Build the graph from the handlers' `dependsOn`. A dependency on a resource that this config does not
 * enable is dropped (the consumer then reads `undefined` outputs); a dependency on a key that is not in
 * the stack at all, a duplicate key, or a cycle is a programming error that names the keys.
 * `alsoInclude` keeps disabled resources in the graph (destroy deletes what an older config created).
 */
export function buildGraph(
  all: AnyResource[],
  config: Config,
  alsoInclude: ReadonlySet<string> = new Set(),
): Graph {
  const known = new Map<string, AnyResource>();
  for (const r of all) {
    if (known.has(r.key)) throw new GraphError(`two resources have the key "${r.key}"`);
    known.set(r.key, r);
  }
  const resources = new Map<string, AnyResource>();
  const disabled: AnyResource[] = [];
  for (const r of all) {
    if (isEnabled(r, config) || alsoInclude.has(r.key)) resources.set(r.key, r);
    else disabled.push(r);
  }
  const deps = new Map<string, string[]>();
  const dependents = new Map<string, string[]>();
  for (const key of resources.keys()) dependents.set(key, []);
  for (const [key, r] of resources) {
    for (const d of r.dependsOn) {
      if (!known.has(d))
        throw new GraphError(`${key} depends on "${d}", which is not a resource of the stack`);
    }
    const enabledDeps = [...new Set(r.dependsOn.filter((d) => resources.has(d)))];
    deps.set(key, enabledDeps);
    for (const d of enabledDeps) dependents.get(d)?.push(key);
  }
  return { order: topologicalOrder([...resources.keys()], deps), resources, deps, dependents, disabled };
}

/** Depth-first order; a cycle is reported as the path that closes it: `a → b → a`. */
export function topologicalOrder(keys: string[], deps: Map<string, string[]>): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (key: string) => {
    const s = state.get(key);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...path.slice(path.indexOf(key)), key];
      throw new GraphError(`dependency cycle: ${cycle.join(' → ')}`);
    }
    state.set(key, 'visiting');
    path.push(key);
    for (const d of deps.get(key) ?? []) visit(d);
    path.pop();
    state.set(key, 'done');
    order.push(key);
  };
  for (const key of keys) visit(key);
  return order;
}

/**
 * The same graph with every edge turned around: what destroy walks. A resource's `deleteAfter` turns
 * its edges to those dependencies back, so it is deleted after them.
 */
export function reversed(graph: Graph): { order: string[]; deps: Map<string, string[]> } {
  const deps = new Map([...graph.dependents].map(([key, list]) => [key, [...list]]));
  for (const [key, resource] of graph.resources) {
    for (const first of resource.deleteAfter ?? []) {
      if (!graph.resources.has(first)) continue;
      deps.set(
        first,
        (deps.get(first) ?? []).filter((k) => k !== key),
      );
      deps.set(key, [...new Set([...(deps.get(key) ?? []), first])]);
    }
  }
  return { order: topologicalOrder([...graph.order].reverse(), deps), deps };
}
