import type { SyncSettings } from '../../src/sync/sync.js';

/** A sync's settings in a unit test: one request at a time, no invalidation, short waits. */
export function syncSettings(dir: string, overrides: Partial<SyncSettings> = {}): SyncSettings {
  return {
    dir,
    invalidationThreshold: 15,
    deleteStale: false,
    dryRun: false,
    invalidate: false,
    waitForInvalidation: false,
    concurrency: 1,
    waitIntervalMs: 1,
    waitTimeoutMs: 1000,
    ...overrides,
  };
}
