import { describe, expect, it } from 'vitest';
import { colors } from '../../../../src/cli/render/colors.js';
import { jsonRenderer } from '../../../../src/cli/render/json.js';
import { formatBytes, syncRenderer } from '../../../../src/cli/render/sync-progress.js';
import type { SyncEvent, SyncSummary } from '../../../../src/sync/events.js';

/** The escape character that starts ANSI sequences. */
const ESC = String.fromCharCode(27);
const time = '2026-01-01T00:00:00.000Z';
const summary: SyncSummary = {
  dryRun: false,
  bucket: 'b',
  files: 10,
  uploaded: 3,
  uploadedNew: 1,
  unchanged: 6,
  skipped: 0,
  hashed: 10,
  metadataUpdated: 1,
  deleted: 0,
  kept: 2,
  bytesUploaded: 3 * 1024 * 1024,
  invalidatedPaths: 4,
  invalidationId: 'I1',
  invalidationStatus: 'InProgress',
  durationMs: 1500,
};
const events: SyncEvent[] = [
  {
    code: 'sync-started',
    bucket: 'b',
    distributionId: 'E1',
    dir: 'dist',
    dryRun: false,
    time,
    level: 'info',
  },
  {
    code: 'sync-planned',
    uploads: [{ key: 'index.html', reason: 'changed', bytes: 10 }],
    metadataUpdates: [],
    unchanged: 6,
    deletes: [],
    keeps: ['old.txt'],
    invalidationPaths: ['/', '/index.html'],
    uploadBytes: 10,
    time,
    level: 'info',
  },
  {
    code: 'sync-progress',
    filesDone: 1,
    filesTotal: 4,
    bytesDone: 512,
    bytesTotal: 2048,
    bytesPerSecond: 1024,
    etaSeconds: 3,
    time,
    level: 'info',
  },
  {
    code: 'sync-progress',
    filesDone: 2,
    filesTotal: 4,
    bytesDone: 1024,
    bytesTotal: 2048,
    bytesPerSecond: 1024,
    etaSeconds: 2,
    time,
    level: 'info',
  },
  { code: 'sync-finished', ok: true, summary, awsCalls: { total: 5, changing: 3 }, time, level: 'info' },
];

function capture(columns?: number) {
  const out = { text: '', columns, write: (s: string) => (out.text += s) };
  return out;
}

describe('sync renderer', () => {
  it('--json (the one JSON renderer): one JSON object per event on stdout, nothing else', () => {
    const stdout = capture();
    const stderr = capture();
    const r = jsonRenderer({ stdout, stderr });
    for (const e of events) r.sink(e);
    const lines = stdout.text.trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as SyncEvent).code)).toEqual(events.map((e) => e.code));
    expect(stderr.text).toBe('');
  });

  it('piped: plain lines, progress at most every few seconds, a closing summary', () => {
    const stdout = capture();
    const stderr = capture();
    let now = 10_000;
    const r = syncRenderer({
      mode: 'plain',
      stdout,
      stderr,
      colors: colors(false),
      verbose: false,
      now: () => now,
    });
    for (const e of events) {
      now += 1000;
      r.sink(e);
    }
    expect(stderr.text.includes(ESC) || stderr.text.includes('\r')).toBe(false);
    expect(stderr.text).toMatch(/syncing dist → s3:\/\/b \(CloudFront E1\)/);
    expect(stderr.text).toMatch(/plan: upload 1 \(10 B\).* keep 1, invalidate 2 path/);
    // the second progress event came 1 s after the first: not printed
    expect(stderr.text.match(/files ·/g)).toHaveLength(1);
    // The closing summary is the result: stdout, and nothing else there.
    expect(stdout.text).toMatch(/^synced in [^\n]*\n$/);
    expect(stdout.text).toMatch(
      /synced in 1\.5s: uploaded 3 \(1 new\), 3\.0 MiB, unchanged 6, headers updated 1, deleted 0, kept 2, invalidated 4 paths \(I1, InProgress\)/,
    );
  });

  it('on a terminal: a bar redrawn in place with files, bytes, rate and ETA', () => {
    const stdout = capture();
    const stderr = capture(100);
    const r = syncRenderer({ mode: 'live', stdout, stderr, colors: colors(false), verbose: false });
    r.sink(events[2]!);
    expect(stderr.text.startsWith(`\r${ESC}[2K`)).toBe(true);
    expect(stderr.text.slice(5)).toMatch(/^█{6}░{18} 1\/4 files · 512 B\/2\.0 KiB · 1\.0 KiB\/s · ETA 3s$/);
    r.sink(events[4]!);
    r.close();
    // The bar is cleared before the summary, which goes to stdout.
    expect(stderr.text.endsWith(`\r${ESC}[2K`)).toBe(true);
    expect(stdout.text).toMatch(/^synced in /);
  });

  it('lists the plan on a dry run', () => {
    const stderr = capture();
    const r = syncRenderer({
      mode: 'plain',
      stdout: capture(),
      stderr,
      colors: colors(false),
      verbose: false,
    });
    r.sink({ ...events[0]!, dryRun: true } as SyncEvent);
    r.sink(events[1]!);
    expect(stderr.text).toMatch(/upload \(1\):\n {2}index\.html \(changed, 10 B\)/);
    expect(stderr.text).toMatch(/keep \(not in the folder; --delete removes them\) \(1\):\n {2}old\.txt/);
    expect(stderr.text).toMatch(/invalidate \(2\):\n {2}\/\n {2}\/index\.html/);
  });

  it('formats sizes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(12 * 1024 * 1024)).toBe('12.0 MiB');
    expect(formatBytes(300 * 1024 * 1024)).toBe('300 MiB');
  });
});
