import { describe, expect, it } from 'vitest';
import type { SyncEventInput } from '../../../src/sync/events.js';
import { runPool } from '../../../src/sync/pool.js';
import { TransferProgress } from '../../../src/sync/progress.js';

describe('runPool', () => {
  it('never has more than `concurrency` items in flight and keeps results in order', async () => {
    let inFlight = 0;
    let peak = 0;
    const items = Array.from({ length: 40 }, (_, i) => i);
    const { results } = await runPool(
      items,
      5,
      async (n) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, n % 3));
        inFlight--;
        return n * 2;
      },
      { stopOnError: true },
    );
    expect(peak).toBe(5);
    expect(results).toEqual(items.map((n) => n * 2));
  });

  it('stops starting new items after the first failure when asked', async () => {
    const started: number[] = [];
    const run = runPool(
      Array.from({ length: 20 }, (_, i) => i),
      2,
      async (n) => {
        started.push(n);
        if (n === 3) throw new Error('boom');
      },
      { stopOnError: true },
    );
    await expect(run).rejects.toThrow('boom');
    expect(started.length).toBeLessThan(7);
  });

  it('collects every failure otherwise', async () => {
    const { errors } = await runPool(
      [1, 2, 3, 4],
      2,
      async (n) => {
        if (n % 2 === 0) throw new Error(`bad ${n}`);
      },
      { stopOnError: false },
    );
    expect(errors.map((e) => e.item)).toEqual([2, 4]);
  });
});

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
    const last = events[0] as SyncEventInput & { code: 'sync-progress' };
    expect(last.bytesDone).toBe(500);
    expect(last.filesDone).toBe(1);
    expect(last.bytesPerSecond).toBe(250);
    // 1 of 10 files after 2 s: files are behind bytes (50%), so 18 s remain
    expect(last.etaSeconds).toBe(18);
    progress.flush();
    expect(events).toHaveLength(2);
  });
});
