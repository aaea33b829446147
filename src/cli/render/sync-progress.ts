import type { PlannedItem, SyncEvent, SyncSummary } from '../../sync/events.js';
import type { Colors } from './colors.js';
import { formatMs } from './format.js';
import { type AnyMessage, errorText, type Output, type Renderer } from './renderer.js';

/**
 * What sync-frontend shows without --json: a progress bar redrawn in place on a terminal (files,
 * bytes, rate, ETA), plain lines when piped (progress at most every few seconds). Progress goes to
 * stderr, the closing summary (the result) to stdout.
 */
export type SyncRenderMode = 'live' | 'plain';

export interface SyncRenderOptions {
  mode: SyncRenderMode;
  stdout: Output;
  stderr: Output;
  colors: Colors;
  verbose: boolean;
  /** Plain mode: seconds between two progress lines. */
  plainIntervalMs?: number;
  now?: () => number;
}

const BAR_WIDTH = 24;
/** More planned items than this are summarised, unless --verbose or --dry-run. */
const LISTED = 20;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

function formatEta(seconds: number | undefined): string {
  if (seconds === undefined) return 'ETA –';
  if (seconds < 60) return `ETA ${seconds}s`;
  return `ETA ${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

type Progress = Extract<SyncEvent, { code: 'sync-progress' }>;

export function progressText(p: Progress, c: Colors, withBar: boolean): string {
  const byFiles = p.filesTotal > 0 ? p.filesDone / p.filesTotal : 1;
  const byBytes = p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : 1;
  const fraction = Math.min(1, Math.min(byFiles, byBytes));
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = withBar ? `${c.cyan('█'.repeat(filled))}${c.dim('░'.repeat(BAR_WIDTH - filled))} ` : '';
  return (
    `${bar}${p.filesDone}/${p.filesTotal} files · ${formatBytes(p.bytesDone)}/${formatBytes(p.bytesTotal)} · ` +
    `${formatBytes(p.bytesPerSecond)}/s · ${formatEta(p.etaSeconds)}`
  );
}

export function summaryText(s: SyncSummary, c: Colors): string {
  const verb = s.dryRun ? 'would upload' : 'uploaded';
  const parts = [
    `${verb} ${s.uploaded}${s.uploadedNew ? ` (${s.uploadedNew} new)` : ''}, ${formatBytes(s.bytesUploaded)}`,
    `unchanged ${s.unchanged}`,
    `headers updated ${s.metadataUpdated}`,
    `deleted ${s.deleted}`,
    `kept ${s.kept}`,
    `invalidated ${s.invalidatedPaths} path${s.invalidatedPaths === 1 ? '' : 's'}${
      s.invalidationId ? ` (${s.invalidationId}, ${s.invalidationStatus ?? 'InProgress'})` : ''
    }`,
  ];
  if (s.skipped > 0) parts.push(`skipped ${s.skipped} (private or excluded)`);
  const head = s.dryRun
    ? c.yellow('dry run, nothing changed:')
    : c.green(`synced in ${formatMs(s.durationMs)}:`);
  return `${head} ${parts.join(', ')}`;
}

function planLines(event: Extract<SyncEvent, { code: 'sync-planned' }>, c: Colors, all: boolean): string[] {
  const lines: string[] = [];
  const list = (title: string, items: string[]) => {
    if (items.length === 0) return;
    lines.push(c.bold(`${title} (${items.length}):`));
    const shown = all ? items : items.slice(0, LISTED);
    for (const item of shown) lines.push(`  ${item}`);
    if (shown.length < items.length)
      lines.push(c.dim(`  … and ${items.length - shown.length} more (--verbose lists all)`));
  };
  const described = (items: PlannedItem[]) =>
    items.map(
      (i) => `${i.key} ${c.dim(`(${i.reason}${i.bytes !== undefined ? `, ${formatBytes(i.bytes)}` : ''})`)}`,
    );
  list('upload', described(event.uploads));
  list('update headers', described(event.metadataUpdates));
  list('delete', event.deletes);
  list('keep (not in the folder; --delete removes them)', event.keeps);
  list('invalidate', event.invalidationPaths);
  return lines;
}

export function syncRenderer(options: SyncRenderOptions): Renderer {
  const { mode, stdout, stderr, colors: c, verbose } = options;
  const now = options.now ?? Date.now;
  const plainInterval = options.plainIntervalMs ?? 5000;
  let dryRun = false;
  let barShown = false;
  let lastPlainProgress = 0;
  let lastProgress: Progress | undefined;

  const clearBar = () => {
    if (barShown) stderr.write('\r\x1b[2K');
    barShown = false;
  };
  const line = (text: string) => {
    clearBar();
    stderr.write(`${text}\n`);
    if (mode === 'live' && lastProgress && lastProgress.filesDone < lastProgress.filesTotal)
      drawBar(lastProgress);
  };
  const drawBar = (p: Progress) => {
    const width = Math.max(20, (stderr.columns ?? 100) - 1);
    const text = progressText(p, c, true);
    stderr.write(`\r\x1b[2K${text.length > width + 40 ? text.slice(0, width) : text}`);
    barShown = true;
  };

  const human = (event: AnyMessage) => {
    switch (event.code) {
      case 'sync-started':
        dryRun = event.dryRun;
        line(
          `${dryRun ? 'dry run: ' : ''}syncing ${event.dir} → s3://${event.bucket}${
            event.distributionId ? ` (CloudFront ${event.distributionId})` : ''
          }`,
        );
        break;
      case 'sync-scanned': {
        const left = event.excluded.length + event.skipped.length;
        const hint = left > 0 && !verbose ? ' (--verbose lists them)' : '';
        const skipped = left > 0 ? `; skipped ${left}${hint}` : '';
        line(c.dim(`scanned ${event.files} files, ${formatBytes(event.bytes)}${skipped}`));
        if (verbose) for (const e of event.excluded) line(c.dim(`  skipped ${e.key} (${e.reason})`));
        break;
      }
      case 'sync-planned': {
        const counts =
          `plan: upload ${event.uploads.length} (${formatBytes(event.uploadBytes)}), update headers ` +
          `${event.metadataUpdates.length}, unchanged ${event.unchanged}, delete ${event.deletes.length}, ` +
          `keep ${event.keeps.length}, invalidate ${event.invalidationPaths.length} path(s)`;
        line(counts);
        if (dryRun || verbose) for (const text of planLines(event, c, verbose)) line(text);
        break;
      }
      case 'sync-phase':
        line(
          event.phase === 'delete'
            ? `deleting ${event.files} stale object(s)`
            : `${event.phase === 'html' ? 'HTML' : 'assets'}: ${event.files} file(s), ${formatBytes(event.bytes)}`,
        );
        break;
      case 'sync-progress':
        lastProgress = event;
        if (mode === 'live') drawBar(event);
        else if (now() - lastPlainProgress >= plainInterval || event.filesDone === event.filesTotal) {
          lastPlainProgress = now();
          line(c.dim(progressText(event, c, false)));
        }
        break;
      case 'sync-invalidation':
        line(`invalidation ${event.id}: ${event.paths.join(' ')} (${event.status})`);
        break;
      case 'sync-waiting':
        line(c.dim(`${event.message} (${formatMs(event.elapsedMs)})`));
        break;
      case 'warning':
        line(c.yellow(`warning: ${event.message}`));
        break;
      case 'sync-finished':
        lastProgress = undefined;
        clearBar();
        stdout.write(`${summaryText(event.summary, c)}\n`);
        break;
      case 'error':
        line(errorText(event));
        break;
    }
  };

  return {
    sink: human,
    note: line,
    result({ text }) {
      clearBar();
      if (text) stdout.write(text);
    },
    close() {
      if (mode === 'live') clearBar();
    },
    suspend: (fn) => fn(),
  };
}
