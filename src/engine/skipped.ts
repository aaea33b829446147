import { type EngineEnv, emit } from './env.js';
import type { Graph } from './graph.js';

/** `up` and `destroy`: a resource the walk did not start, or stopped by Ctrl-C, told to the renderer. */
export function reportSkipped(env: Pick<EngineEnv, 'sink'>, key: string, reason: string): void {
  emit(env, { code: 'resource-skipped', key, reason });
}

/** The read-only looks (plan, status, destroy's discovery): the entry of a resource the walk skipped. */
export function notChecked(
  graph: Graph,
  key: string,
  reason: string,
): { key: string; title: string; error: string } {
  return { key, title: graph.resources.get(key)?.title ?? key, error: `not checked: ${reason}` };
}
