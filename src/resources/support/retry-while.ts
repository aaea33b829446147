import { retryOn } from '../../aws/errors.js';
import type { ResourceContext } from '../../engine/contract.js';

/**
 * Retry `call` while AWS answers one of `names` (something still in use that is going away), every
 * `waits.pollSeconds`, for at most `minutes`; each retry is shown as a wait on `what`. The last error
 * is thrown when the time is up.
 */
export function retryWhile<T>(
  ctx: ResourceContext,
  names: string[],
  call: () => Promise<T>,
  options: { minutes: number; what: string },
): Promise<T> {
  const delayMs = ctx.config.waits.pollSeconds * 1000;
  return retryOn(names, call, {
    attempts: Math.max(1, Math.ceil((options.minutes * 60_000) / delayMs)),
    delayMs,
    onRetry: (_error, attempt) => ctx.waiting(options.what, attempt * delayMs),
  });
}
