import { AdaptiveRetryStrategy } from '@smithy/core/retry';
import type { StandardRetryBackoffStrategy } from '@smithy/types';
import type { RetryStrategyFactory } from '../../src/aws/clients.js';

/** How many times shorter than the SDK's each backoff is. */
const SHORTER = 20;
/** The SDK's cap on one backoff (MAXIMUM_RETRY_DELAY). */
const MAXIMUM_RETRY_DELAY_MS = 20_000;

/**
 * The SDK's own backoff, a random part of base × 2^attempt capped at 20 s (the strategy sets the base:
 * 50 ms, or 1 s after a throttle), divided by SHORTER.
 */
class ShortBackoff implements StandardRetryBackoffStrategy {
  private base = 50;
  setDelayBase(delay: number): void {
    this.base = delay;
  }
  computeNextBackoffDelay(attempt: number): number {
    return Math.floor((Math.random() * Math.min(this.base * 2 ** attempt, MAXIMUM_RETRY_DELAY_MS)) / SHORTER);
  }
}

/**
 * The product's retries with their waits cut, for end-to-end runs under injected faults (runCli's
 * `retryStrategy`): the SDK's adaptive strategy with tekamolo's attempts and the SDK's retry quota, so
 * the same answers are retried and the same given up; its backoff 20 times shorter, and its rate
 * limiter never waiting (after one throttle it holds the client to as little as one call every two
 * seconds, and most of a faulty run was spent there).
 */
export const shortRetries: RetryStrategyFactory = (maxAttempts) =>
  new AdaptiveRetryStrategy(maxAttempts, {
    maxAttempts,
    backoff: new ShortBackoff(),
    rateLimiter: { getSendToken: async () => {}, updateClientSendingRate: () => {} },
  });
