import { errorName, retryOn } from '../../aws/errors.js';
import type { ResourceContext } from '../../engine/contract.js';

/**
 * Retry `call` while AWS answers one of `names` (something still in use that is going away), or an
 * error `names` accepts (one only its message tells apart), every `waits.pollSeconds` (at most
 * `delayCapMs` apart when given), for at most `minutes`; each retry is shown as a wait on `what`. The
 * last error is thrown when the time is up.
 */
export function retryWhile<T>(
  ctx: ResourceContext,
  names: string[] | ((error: unknown) => boolean),
  call: () => Promise<T>,
  options: { minutes: number; what: string; delayCapMs?: number },
): Promise<T> {
  const delayMs = Math.min(
    ctx.config.waits.pollSeconds * 1000,
    options.delayCapMs ?? Number.POSITIVE_INFINITY,
  );
  return retryOn(names, call, {
    attempts: Math.max(1, Math.ceil((options.minutes * 60_000) / delayMs)),
    delayMs,
    onRetry: (_error, attempt) => ctx.waiting(options.what, attempt * delayMs),
  });
}

/** Tries of a call that names something created seconds ago; at most ~35 s with the default poll. */
export const VISIBLE_ATTEMPTS = 8;
const VISIBLE_DELAY_CAP_MS = 5000;

function visibleDelayMs(ctx: ResourceContext): number {
  return Math.min(ctx.config.waits.pollSeconds * 1000, VISIBLE_DELAY_CAP_MS);
}

/**
 * Retry `call` while AWS answers one of `names` because `what` (created moments ago) is not yet
 * visible to the API called: AWS documents this eventual consistency for EC2 and ELB ids. Bounded;
 * each retry is shown with `-v` and counted in the trace's `attempts`.
 */
export function retryUntilVisible<T>(
  ctx: ResourceContext,
  names: string[],
  what: string,
  call: () => Promise<T>,
): Promise<T> {
  return retryOn(names, call, {
    attempts: VISIBLE_ATTEMPTS,
    delayMs: visibleDelayMs(ctx),
    onRetry: (error, attempt) =>
      ctx.progress(
        `${what} not visible yet (${errorName(error)}), retry ${attempt} of ${VISIBLE_ATTEMPTS - 1}`,
      ),
  });
}

/**
 * Look for something AWS just said exists (a create refused as a duplicate) until a list or filtered
 * describe shows it: those reads lag the create by seconds. Undefined after the last try.
 */
export async function findUntilVisible<T>(
  ctx: ResourceContext,
  what: string,
  find: () => Promise<T | undefined>,
): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    const found = await find();
    if (found !== undefined || attempt >= VISIBLE_ATTEMPTS) return found;
    ctx.progress(`${what} not listed yet, retry ${attempt} of ${VISIBLE_ATTEMPTS - 1}`);
    await new Promise((resolve) => setTimeout(resolve, visibleDelayMs(ctx)));
  }
}
