import { type EngineEnv, emit } from './env.js';
import type { StepFailure } from './failure.js';
import type { RunResult } from './run-summary.js';

/** A resource step failed: told to the renderer as `resource-failed`, with how long the step ran. */
export function emitFailure(
  env: Pick<EngineEnv, 'sink'>,
  key: string,
  failure: StepFailure,
  startedAt: number,
): StepFailure {
  emit(env, {
    code: 'resource-failed',
    key,
    error: failure.message,
    ...(failure.hint ? { hint: failure.hint } : {}),
    durationMs: Date.now() - startedAt,
  });
  return failure;
}

/**
 * A resource step of `up` or `destroy` failed: kept among the run's failures (the closing summary and
 * the exit code) and told to the renderer.
 */
export function reportFailure(
  env: Pick<EngineEnv, 'sink'>,
  failures: RunResult['failures'],
  key: string,
  failure: StepFailure,
  startedAt: number,
): void {
  failures.push({ key, failure });
  emitFailure(env, key, failure, startedAt);
}
