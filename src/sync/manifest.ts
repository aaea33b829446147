import { SYNC_MANIFEST_KEY } from '../config/bucket-keys.js';

/**
 * The sync manifest: one small JSON object in the bucket that records, per key, the Content-Type and
 * Cache-Control tekamolo gave the object and the ETag the object had then.
 *
 * Why: ListObjectsV2 returns ETag and size but no headers, and a metadata-only change (new cache rules)
 * must be seen without a HeadObject per key. With the manifest, an unchanged re-sync makes one GET
 * besides the listing and zero HEADs. Why in the bucket and not in the state file: sync-frontend runs
 * from CI without the state lock, often without the state file at all; the bucket is the one place
 * every deploy sees. An entry counts only while its ETag equals the listed one: an object changed by
 * another tool has unknown headers and gets them set again (one CopyObject, as cheap as the HEAD it
 * replaces). It lies under the bucket's private prefix, which the bucket policy's Allow for CloudFront leaves out:
 * a listing of every key is not for the site's visitors.
 */
export const MANIFEST_KEY = SYNC_MANIFEST_KEY;
export const MANIFEST_VERSION = 1;

export interface ObjectMetadata {
  contentType: string;
  cacheControl: string;
}

export interface ManifestEntry extends ObjectMetadata {
  etag: string;
}

export interface Manifest {
  version: typeof MANIFEST_VERSION;
  objects: Record<string, ManifestEntry>;
}

export function emptyManifest(): Manifest {
  return { version: MANIFEST_VERSION, objects: {} };
}

/** Parse a manifest; anything unexpected (another version, corrupt) reads as empty: headers unknown. */
export function parseManifest(text: string): Manifest | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!data || typeof data !== 'object') return undefined;
  const candidate = data as { version?: unknown; objects?: unknown };
  if (candidate.version !== MANIFEST_VERSION || !candidate.objects || typeof candidate.objects !== 'object') {
    return undefined;
  }
  const objects: Record<string, ManifestEntry> = {};
  for (const [key, value] of Object.entries(candidate.objects as Record<string, unknown>)) {
    const entry = value as Partial<ManifestEntry> | null;
    if (
      entry &&
      typeof entry.etag === 'string' &&
      typeof entry.contentType === 'string' &&
      typeof entry.cacheControl === 'string'
    ) {
      objects[key] = { etag: entry.etag, contentType: entry.contentType, cacheControl: entry.cacheControl };
    }
  }
  return { version: MANIFEST_VERSION, objects };
}

export function serializeManifest(manifest: Manifest): string {
  const sorted: Record<string, ManifestEntry> = {};
  for (const key of Object.keys(manifest.objects).sort()) sorted[key] = manifest.objects[key]!;
  return JSON.stringify({ version: manifest.version, objects: sorted });
}

/** The headers recorded for a key, when the record still describes the listed object. */
export function knownMetadata(
  manifest: Manifest,
  key: string,
  listedEtag: string,
): ObjectMetadata | undefined {
  const entry = manifest.objects[key];
  if (!entry || entry.etag !== listedEtag) return undefined;
  return { contentType: entry.contentType, cacheControl: entry.cacheControl };
}
