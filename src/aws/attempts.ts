import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Attempts made before the current call by a retry at the call site (an eventual-consistency retry
 * around one SDK call): the trace adds them to the SDK's own count, so that the line of the call that
 * finally answered says how many times it was really sent.
 */
const earlier = new AsyncLocalStorage<number>();

export function attemptsBefore(): number {
  return earlier.getStore() ?? 0;
}

/** Run `call` as a retry that follows `attempts` earlier attempts. */
export function asRetryAfter<T>(attempts: number, call: () => Promise<T>): Promise<T> {
  return attempts > 0 ? earlier.run(attempts, call) : call();
}
