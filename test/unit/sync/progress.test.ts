import { describe, expect, it } from 'vitest';
import type { SyncEventInput } from '../../../src/sync/events.js';
import { TransferProgress } from '../../../src/sync/progress.js';

describe('TransferProgress', () => {
  it('reports rate and ETA from the slower of files and bytes, throttled', () => {
    let now = 0;
    const events: SyncEventInput[] = [];
    const progress = new TransferProgress(
      10,
      1000,
      (e) => events.push(e),
      250,
      () => now,
    );
    now = 100;
    progress.bytes(100);
    progress.fileDone();
    expect(events).toHaveLength(0);
    now = 2000;
    progress.bytes(400);
    progress.fileDone();
    expect(events).toHaveLength(1);
    const last = events[0] as Extract<SyncEventInput, { code: 'sync-progress' }>;
    expect(last.bytesDone).toBe(500);
    expect(last.filesDone).toBe(1);
    expect(last.bytesPerSecond).toBe(250);
    // 1 of 10 files after 2 s: files are behind bytes (50%), so 18 s remain
    expect(last.etaSeconds).toBe(18);
    progress.flush();
    expect(events).toHaveLength(2);
  });
});
