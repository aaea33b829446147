import { setImmediate as realImmediate } from 'node:timers';
import { vi } from 'vitest';

/**
 * Runs `work` with fake timers and lets every wait, poll and retry delay it schedules pass at once, so
 * that a test of a waiter or a retry keeps real-sized delays without sleeping them. While no timer is
 * due, real I/O (a state file written) goes on in real time. Real timers are back when it returns;
 * `work`'s result or error is passed on.
 */
export async function withFakeTime<T>(work: () => Promise<T>): Promise<T> {
  vi.useFakeTimers();
  try {
    let settled = false;
    const running = work().finally(() => {
      settled = true;
    });
    // Awaited below: no unhandled rejection while the timers run.
    running.catch(() => {});
    while (!settled) {
      if (vi.getTimerCount() > 0) await vi.advanceTimersToNextTimerAsync();
      else await new Promise((resolve) => realImmediate(resolve));
    }
    return await running;
  } finally {
    vi.useRealTimers();
  }
}
