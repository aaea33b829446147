import type { Excluded } from './scan.js';

/**
 * What a sync reports while it runs. The CLI only renders these: a progress bar on a terminal, plain
 * lines when piped, JSON lines with --json.
 */

export type SyncPhase = 'assets' | 'html' | 'delete';

export interface SyncSummary {
  dryRun: boolean;
  bucket: string;
  distributionId?: string;
  /** Files in the folder that are published. */
  files: number;
  /** Paths of the folder left out: private by default, excluded, or not regular files. */
  skipped: number;
  /** Files read and hashed; the others were known to the local hash cache. */
  hashed: number;
  uploaded: number;
  /** Of `uploaded`: keys that were not in the bucket. */
  uploadedNew: number;
  unchanged: number;
  /** Same bytes, new Content-Type or Cache-Control: a copy onto itself, no upload. */
  metadataUpdated: number;
  deleted: number;
  /** In the bucket, not in the folder, kept because --delete was not given. */
  kept: number;
  bytesUploaded: number;
  invalidatedPaths: number;
  invalidationId?: string;
  invalidationStatus?: string;
  durationMs: number;
}

export interface PlannedItem {
  key: string;
  /** upload: new | changed; metadata: the headers that change. */
  reason: string;
  bytes?: number;
}

interface Stamped {
  time: string;
}

export type SyncEvent = Stamped &
  (
    | { type: 'sync-started'; bucket: string; distributionId?: string; dir: string; dryRun: boolean }
    | { type: 'sync-scanned'; files: number; bytes: number; skipped: string[]; excluded: Excluded[] }
    | {
        type: 'sync-planned';
        uploads: PlannedItem[];
        metadataUpdates: PlannedItem[];
        unchanged: number;
        deletes: string[];
        keeps: string[];
        invalidationPaths: string[];
        uploadBytes: number;
      }
    | { type: 'sync-phase'; phase: SyncPhase; files: number; bytes: number }
    | {
        type: 'sync-progress';
        filesDone: number;
        filesTotal: number;
        bytesDone: number;
        bytesTotal: number;
        bytesPerSecond: number;
        /** Undefined until something was measured. */
        etaSeconds?: number;
      }
    | { type: 'sync-invalidation'; id: string; paths: string[]; status: string }
    | { type: 'sync-waiting'; message: string; elapsedMs: number }
    | { type: 'warning'; message: string }
    | { type: 'sync-finished'; summary: SyncSummary }
  );

/** Distributes Omit over the union, so that each variant keeps its own fields. */
type WithoutTime<E> = E extends Stamped ? Omit<E, 'time'> : never;
export type SyncEventInput = WithoutTime<SyncEvent>;

export type SyncListener = (event: SyncEvent) => void;

export function stampSync(event: SyncEventInput): SyncEvent {
  return { ...event, time: new Date().toISOString() } as SyncEvent;
}
