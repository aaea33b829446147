import { vi } from 'vitest';

/**
 * Runs `work` with fake timers and lets every wait, poll and retry delay it schedules pass at once, so
 * that a test of a waiter or a retry keeps real-sized delays without sleeping them. Real timers are
 * back when it returns; `work`'s result or error is passed on.
 */
export async function withFakeTime<T>(work: () => Promise<T>): Promise<T> {
  vi.useFakeTimers();
  try {
    const running = work();
    // Settled by runAllTimersAsync before the caller awaits it: no unhandled rejection meanwhile.
    running.catch(() => {});
    await vi.runAllTimersAsync();
    return await running;
  } finally {
    vi.useRealTimers();
  }
}
