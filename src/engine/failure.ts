import { describeAwsError } from '../aws/errors.js';
import { InterruptedError, UserError, WorkError } from '../errors.js';

/** A failed step as the user sees it: what was done to which resource, and the AWS cause. */
export interface StepFailure {
  message: string;
  hint?: string;
  /** Bad input (a UserError): nothing in AWS is wrong, the config or the situation is. */
  userError: boolean;
}

/** Our own errors and plain JS errors carry no AWS error code worth showing. */
function isOwnError(error: unknown): boolean {
  if (error instanceof UserError || error instanceof WorkError || error instanceof InterruptedError)
    return true;
  return error instanceof Error && (error.name === 'Error' || error.name === 'TypeError');
}

export function describeFailure(step: string, title: string, error: unknown): StepFailure {
  const what = `${step} ${title}`;
  const failure: StepFailure = {
    message: isOwnError(error) ? `${what}: ${(error as Error).message}` : describeAwsError(what, error),
    userError: error instanceof UserError,
  };
  const hint = (error as { hint?: unknown } | undefined)?.hint;
  if (typeof hint === 'string' && hint) failure.hint = hint;
  return failure;
}

/** Thrown between steps once Ctrl-C was pressed: the node stops, its state is already saved. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new InterruptedError();
}

export function isInterruption(error: unknown, signal: AbortSignal): boolean {
  // A wait cut short by the signal ends with a WorkError; any error after Ctrl-C counts as the stop.
  return error instanceof InterruptedError || signal.aborted;
}
