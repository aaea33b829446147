import { describe, expect, it } from 'vitest';
import { runExitCode } from '../../../src/cli/session.js';
import type { RunResult } from '../../../src/engine/run-summary.js';
import { ExitCode, InterruptedError } from '../../../src/errors.js';

function result(overrides: Partial<RunResult>): RunResult {
  return {
    ok: true,
    interrupted: false,
    states: new Map(),
    actions: new Map(),
    failures: [],
    counts: {},
    durationMs: 1,
    awsCalls: 3,
    changingCalls: 0,
    outputs: new Map(),
    pending: [],
    ...overrides,
  };
}

describe('exit code of up and destroy', () => {
  it('is 0 when everything converged', () => {
    expect(runExitCode(result({}), 'up')).toBe(ExitCode.ok);
  });

  it('is 130 (thrown, with how to resume) when interrupted', () => {
    expect(() => runExitCode(result({ ok: false, interrupted: true }), 'up')).toThrow(InterruptedError);
    expect(() => runExitCode(result({ ok: false, interrupted: true }), 'up')).toThrow(
      'run `tekamolo up` again to resume',
    );
  });

  it('is 2 when only bad input failed and nothing was changed', () => {
    const failures = [{ key: 'zone', failure: { message: 'no hosted zone', userError: true } }];
    expect(runExitCode(result({ ok: false, failures }), 'up')).toBe(ExitCode.badInput);
    expect(runExitCode(result({ ok: false, failures, changingCalls: 2 }), 'up')).toBe(ExitCode.failure);
  });

  it('is 1 for an AWS failure', () => {
    const failures = [{ key: 'listener', failure: { message: 'throttled', userError: false } }];
    expect(runExitCode(result({ ok: false, failures }), 'destroy')).toBe(ExitCode.failure);
  });
});
