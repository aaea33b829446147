import type { Aws } from '../aws/clients.js';
import type { EngineEnv } from './env.js';
import { emit } from './env.js';
import type { NodeState, PlanAction } from './events.js';
import type { StepFailure } from './failure.js';

export type Counts = Partial<Record<PlanAction | 'failed' | 'skipped', number>>;

/** How a run (up or destroy) ended. */
export interface RunResult {
  ok: boolean;
  /** Ctrl-C stopped the run; the state was saved. */
  interrupted: boolean;
  states: Map<string, NodeState>;
  /** What was done to each resource that finished. */
  actions: Map<string, PlanAction>;
  failures: { key: string; failure: StepFailure }[];
  counts: Counts;
  durationMs: number;
  awsCalls: number;
  changingCalls: number;
  /** Outputs of every resource that finished (the URLs for the closing summary). */
  outputs: Map<string, Record<string, unknown>>;
  /**
   * Resources left converging with `--no-wait`: for destroy, deletions started and not waited for; for
   * up, resources whose optional wait (CloudFront deployment) was skipped.
   */
  pending: string[];
}

export function countActions(
  actions: Map<string, PlanAction>,
  states: Map<string, NodeState>,
  extra: PlanAction[] = [],
): Counts {
  const counts: Counts = {};
  for (const action of [...actions.values(), ...extra]) counts[action] = (counts[action] ?? 0) + 1;
  for (const state of states.values()) {
    if (state === 'failed' || state === 'skipped') counts[state] = (counts[state] ?? 0) + 1;
  }
  return counts;
}

export function awsCallCounts(aws: Aws): { awsCalls: number; changingCalls: number } {
  return { awsCalls: aws.tracer.records.length, changingCalls: aws.tracer.changingCalls };
}

export function finishRun(env: EngineEnv, command: string, result: RunResult): RunResult {
  emit(env, {
    code: 'run-finished',
    command,
    ok: result.ok,
    durationMs: result.durationMs,
    counts: result.counts,
    awsCalls: { total: result.awsCalls, changing: result.changingCalls },
  });
  return result;
}
