/** Exit codes of the contract (ARCHITECTURE §1). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  badInput: 2,
  differs: 3,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Bad input (usage, config, credentials, a zone that does not exist): nothing was changed. Exit 2. */
export class UserError extends Error {
  readonly exitCode: ExitCode = ExitCode.badInput;
  constructor(
    message: string,
    /** What the user should do next. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** A failure while working (AWS error, timeout, lock held). Exit 1. */
export class WorkError extends Error {
  readonly exitCode: ExitCode = ExitCode.failure;
  constructor(
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WorkError';
  }
}

/** The user pressed Ctrl-C; state was saved. Exit 130. */
export class InterruptedError extends Error {
  readonly exitCode: ExitCode = ExitCode.interrupted;
  constructor(message = 'interrupted') {
    super(message);
    this.name = 'InterruptedError';
  }
}

export function exitCodeOf(error: unknown): ExitCode {
  if (error && typeof error === 'object' && 'exitCode' in error) {
    const code = (error as { exitCode: unknown }).exitCode;
    if (typeof code === 'number') return code as ExitCode;
  }
  return ExitCode.failure;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
