import { PRIVATE_PREFIX } from '../config/bucket-keys.js';
import { type Fingerprint, sameContent } from './fingerprint.js';
import type { FileStamp } from './hash-cache.js';
import { invalidationPaths } from './invalidation-paths.js';
import { knownMetadata, type Manifest, type ObjectMetadata } from './manifest.js';
import { isHtml } from './mime.js';
import type { RemoteObject } from './remote.js';

/** A file of the build folder with everything the plan needs to know about it. */
export interface LocalObject {
  key: string;
  /** Absolute path to read it from. */
  path: string;
  size: number;
  /** Size, mtime and inode when scanned (hash-cache.ts). */
  stamp: FileStamp;
  fingerprint: Fingerprint;
  metadata: ObjectMetadata;
}

export interface PlannedUpload {
  key: string;
  path: string;
  size: number;
  /** `new`: not in the bucket; `changed`: in the bucket with other bytes. */
  reason: 'new' | 'changed';
  html: boolean;
  /** Size, mtime and inode as scanned: a file changed since is told apart at its upload. */
  stamp: FileStamp;
  fingerprint: Fingerprint;
  metadata: ObjectMetadata;
}

/** Same bytes, other headers: CopyObject onto itself with REPLACE, no upload. */
export interface PlannedMetadataUpdate {
  key: string;
  html: boolean;
  /** The headers recorded in the manifest; undefined when unknown. */
  from?: ObjectMetadata;
  metadata: ObjectMetadata;
}

export interface SyncPlan {
  /** Assets first (largest first, so that the long uploads start early), then HTML. */
  uploads: PlannedUpload[];
  metadataUpdates: PlannedMetadataUpdate[];
  unchanged: string[];
  /** In the bucket but not in the folder: deleted with --delete, otherwise kept. */
  stale: string[];
  deleteStale: boolean;
  /** Paths of one CloudFront invalidation; empty when nothing served changed. */
  invalidationPaths: string[];
  uploadBytes: number;
}

export interface PlanOptions {
  deleteStale: boolean;
  invalidationThreshold: number;
}

function sameMetadata(a: ObjectMetadata, b: ObjectMetadata): boolean {
  return a.contentType === b.contentType && a.cacheControl === b.cacheControl;
}

/**
 * Compare the folder with the bucket by content: a pure function of what was scanned and listed, so
 * that tests compare whole plans with toEqual.
 */
export function planSync(
  local: LocalObject[],
  remote: ReadonlyMap<string, RemoteObject>,
  manifest: Manifest,
  options: PlanOptions,
): SyncPlan {
  const uploads: PlannedUpload[] = [];
  const metadataUpdates: PlannedMetadataUpdate[] = [];
  const unchanged: string[] = [];
  const localKeys = new Set<string>();

  for (const file of local) {
    localKeys.add(file.key);
    const html = isHtml(file.metadata.contentType);
    const existing = remote.get(file.key);
    if (!existing || !sameContent(file.fingerprint, existing.etag)) {
      uploads.push({
        key: file.key,
        path: file.path,
        size: file.size,
        reason: existing ? 'changed' : 'new',
        html,
        stamp: file.stamp,
        fingerprint: file.fingerprint,
        metadata: file.metadata,
      });
      continue;
    }
    const known = knownMetadata(manifest, file.key, existing.etag);
    if (known && sameMetadata(known, file.metadata)) {
      unchanged.push(file.key);
      continue;
    }
    const update: PlannedMetadataUpdate = { key: file.key, html, metadata: file.metadata };
    if (known) update.from = known;
    metadataUpdates.push(update);
  }

  // tekamolo's own keys (the manifest) are never the site's, so never stale.
  const stale = [...remote.keys()]
    .filter((key) => !key.startsWith(PRIVATE_PREFIX) && !localKeys.has(key))
    .sort();

  uploads.sort((a, b) => Number(a.html) - Number(b.html) || b.size - a.size || a.key.localeCompare(b.key));
  metadataUpdates.sort((a, b) => Number(a.html) - Number(b.html) || a.key.localeCompare(b.key));
  unchanged.sort();

  // A path that was never in the bucket has nothing cached but a short-lived error response, so only
  // replaced content, changed headers and deletions are invalidated.
  const served = [
    ...uploads.filter((u) => u.reason === 'changed').map((u) => u.key),
    ...metadataUpdates.map((m) => m.key),
    ...(options.deleteStale ? stale : []),
  ];

  return {
    uploads,
    metadataUpdates,
    unchanged,
    stale,
    deleteStale: options.deleteStale,
    invalidationPaths: invalidationPaths(served, options.invalidationThreshold),
    uploadBytes: uploads.reduce((sum, u) => sum + u.size, 0),
  };
}
