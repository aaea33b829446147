/**
 * How long a wait the runtime can honour. Node's timers hold at most 2^31-1 ms (about 24.8 days); a
 * longer delay fires after 1 ms instead, which would turn a poll loop into a busy loop against AWS.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;
export const MAX_WAIT_SECONDS = Math.floor(MAX_TIMER_MS / 1000);
export const MAX_WAIT_MINUTES = Math.floor(MAX_TIMER_MS / 60_000);

/** Why the bound: said after the number in every message about it. */
export const TIMER_LIMIT_REASON = "the longest delay Node's timers can hold, about 24 days";

/**
 * Parallel uploads of sync-frontend: each holds a file and a connection open, and 256 is the smallest
 * default limit of open files among the platforms tekamolo runs on (macOS; Linux allows 1024).
 */
export const MAX_CONCURRENCY = 256;
