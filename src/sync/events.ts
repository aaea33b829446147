import type { AwsCalls } from '../aws/trace.js';
import { type Levels, type Message, type Sink, stamp } from '../output/message.js';
import type { Excluded } from './scan.js';

/**
 * What a sync reports while it runs, as messages of the one output channel (src/output/): the CLI
 * renders them as a progress bar on a terminal, plain lines when piped, JSON lines with --json.
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

export type SyncPayload =
  | { code: 'sync-started'; bucket: string; distributionId?: string; dir: string; dryRun: boolean }
  | { code: 'sync-scanned'; files: number; bytes: number; skipped: string[]; excluded: Excluded[] }
  | {
      code: 'sync-planned';
      uploads: PlannedItem[];
      metadataUpdates: PlannedItem[];
      unchanged: number;
      deletes: string[];
      keeps: string[];
      invalidationPaths: string[];
      uploadBytes: number;
    }
  | { code: 'sync-phase'; phase: SyncPhase; files: number; bytes: number }
  | {
      code: 'sync-progress';
      filesDone: number;
      filesTotal: number;
      bytesDone: number;
      bytesTotal: number;
      bytesPerSecond: number;
      /** Undefined until something was measured. */
      etaSeconds?: number;
    }
  | { code: 'sync-invalidation'; id: string; paths: string[]; status: string }
  | { code: 'sync-waiting'; message: string; elapsedMs: number }
  | { code: 'warning'; message: string }
  /** The final event: a sync that fails ends with an error message instead. */
  | { code: 'sync-finished'; ok: true; summary: SyncSummary; awsCalls: AwsCalls };

export const SYNC_LEVELS: Levels<SyncPayload> = {
  'sync-started': 'info',
  'sync-scanned': 'info',
  'sync-planned': 'info',
  'sync-phase': 'info',
  'sync-progress': 'debug',
  'sync-invalidation': 'info',
  'sync-waiting': 'info',
  warning: 'warn',
  'sync-finished': 'info',
};

export type SyncEvent = Message<SyncPayload>;
export type SyncEventInput = SyncPayload;
export type SyncListener = Sink<SyncPayload>;

export function stampSync(payload: SyncPayload): SyncEvent {
  return stamp(payload, SYNC_LEVELS);
}
