import { WorkError } from '../errors.js';

/** What one poll of a wait saw. */
export interface Poll<T> {
  /** The wait is over: the target state was reached. */
  done: boolean;
  /** A state that will never reach the target (FAILED, deleted …): stop at once with this message. */
  failed?: string;
  /** Human-readable current state, shown while waiting ("InProgress", "2/3 targets healthy"). */
  status: string;
  value?: T;
}

export interface WaitOptions<T> {
  /** What is awaited, as a phrase: "certificate validation", "CloudFront deployment". */
  what: string;
  poll: () => Promise<Poll<T>>;
  intervalMs: number;
  timeoutMs: number;
  /** What to check when the wait times out. */
  hint: string;
  /** Called after every poll that is not done, with the status and how long it has waited. */
  onWait?: (status: string, elapsedMs: number) => void;
  signal?: AbortSignal;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(s % 60).padStart(2, '0')}s`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * The one generic waiter: poll until done, failed, aborted or timed out. Timeouts and failures are
 * WorkErrors whose message says what was awaited, for how long, the last status and what to check.
 */
export async function waitFor<T>(options: WaitOptions<T>): Promise<T | undefined> {
  const started = Date.now();
  let last = 'not yet polled';
  for (;;) {
    const result = await options.poll();
    last = result.status;
    if (result.done) return result.value;
    if (result.failed) {
      throw new WorkError(`${options.what} failed: ${result.failed}`, options.hint);
    }
    const elapsed = Date.now() - started;
    if (elapsed >= options.timeoutMs) {
      throw new WorkError(
        `timed out after ${formatDuration(elapsed)} waiting for ${options.what} (last status: ${last})`,
        options.hint,
      );
    }
    options.onWait?.(last, elapsed);
    if (options.signal?.aborted) {
      throw new WorkError(`stopped waiting for ${options.what} (last status: ${last})`);
    }
    await sleep(Math.min(options.intervalMs, options.timeoutMs - elapsed), options.signal);
    if (options.signal?.aborted) {
      throw new WorkError(`stopped waiting for ${options.what} (last status: ${last})`);
    }
  }
}
