import type { SyncEventInput } from './events.js';

/**
 * Counts files and bytes of the transfer phases and turns them into progress events with a rate and
 * an ETA, at most every `intervalMs` (a progress event per file would flood a pipe or a JSON reader).
 */
export class TransferProgress {
  private filesDone = 0;
  private bytesDone = 0;
  private readonly startedAt: number;
  private lastEmit = 0;

  constructor(
    private readonly filesTotal: number,
    private readonly bytesTotal: number,
    private readonly emit: (event: SyncEventInput) => void,
    private readonly intervalMs = 250,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  bytes(count: number): void {
    this.bytesDone += count;
    this.maybeEmit();
  }

  /** A file is done; `bytes` are the ones not reported through `bytes()` yet. */
  fileDone(bytes = 0): void {
    this.bytesDone += bytes;
    this.filesDone++;
    this.maybeEmit();
  }

  /** Always emits: the state at a phase boundary or the end. */
  flush(): void {
    this.lastEmit = this.now();
    this.emit(this.snapshot());
  }

  snapshot(): SyncEventInput & { code: 'sync-progress' } {
    const elapsed = Math.max(1, this.now() - this.startedAt) / 1000;
    const bytesPerSecond = Math.round(this.bytesDone / elapsed);
    // Many small files are bound by requests, a few big ones by bytes: the ETA follows whichever of the
    // two is further behind.
    const byFiles = this.filesTotal > 0 ? this.filesDone / this.filesTotal : 1;
    const byBytes = this.bytesTotal > 0 ? this.bytesDone / this.bytesTotal : 1;
    const fraction = Math.min(byFiles, byBytes);
    const event: SyncEventInput & { code: 'sync-progress' } = {
      code: 'sync-progress',
      filesDone: this.filesDone,
      filesTotal: this.filesTotal,
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      bytesPerSecond,
    };
    if (fraction > 0) event.etaSeconds = Math.max(0, Math.round((elapsed * (1 - fraction)) / fraction));
    return event;
  }

  private maybeEmit(): void {
    const now = this.now();
    if (now - this.lastEmit < this.intervalMs) return;
    this.lastEmit = now;
    this.emit(this.snapshot());
  }
}
