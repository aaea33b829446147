import pMap, { pMapSkip } from 'p-map';
import { InterruptedError, UserError } from '../errors.js';
import { type CacheRule, cacheControlRules } from './cache-rules.js';
import { fingerprintFile, needsWholeMd5 } from './fingerprint.js';
import type { HashCache } from './hash-cache.js';
import { contentTypeFor } from './mime.js';
import type { LocalObject } from './plan.js';
import type { RemoteObject } from './remote.js';
import type { LocalFile } from './scan.js';

/** The files of the build folder as the plan sees them: hashed, typed, with their cache rule. */

export interface DescribeSettings {
  dir: string;
  cacheRules?: CacheRule[];
  /** Files read at once. */
  concurrency: number;
}

/**
 * Files read for hashing are kept, up to this many bytes in all, and uploaded from memory: one read per
 * file instead of two, and the bytes sent are exactly the bytes hashed. Only files that may have to go
 * up are kept (describeFiles' `mayUpload`); the others pass through reused buffers (fingerprint.ts).
 */
export const CONTENT_CACHE_BYTES = 64 * 1024 * 1024;

export class ContentCache {
  private readonly data = new Map<string, Buffer>();
  private used = 0;

  constructor(private readonly limit: number) {}

  hasRoom(bytes: number): boolean {
    return this.used + bytes <= this.limit;
  }

  offer(key: string, data: Buffer): void {
    if (!this.hasRoom(data.length)) return;
    this.data.set(key, data);
    this.used += data.length;
  }

  /** Drop what will not be uploaded, so that memory goes back before the transfers. */
  keepOnly(keys: ReadonlySet<string>): void {
    for (const key of this.data.keys()) if (!keys.has(key)) this.take(key);
  }

  take(key: string): Buffer | undefined {
    const data = this.data.get(key);
    if (data) {
      this.data.delete(key);
      this.used -= data.length;
    }
    return data;
  }
}

/** How many unreadable files a message names before "and N more". */
const NAMED_FAILURES = 5;

export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw new InterruptedError('interrupted: the sync stopped between two steps; run it again');
}

/**
 * Hash every file and work out its headers. Every unreadable file is named in one UserError before
 * anything is uploaded. The bytes of a file for which `mayUpload` says yes are kept in `contents`
 * while there is room; `mayUpload` is a guess made before the file's hash is known (a wrong one
 * costs a second read at the upload), all files by default.
 */
export async function describeFiles(
  files: LocalFile[],
  settings: DescribeSettings,
  contents: ContentCache,
  hashes: HashCache,
  signal?: AbortSignal,
  mayUpload: (file: LocalFile) => boolean = () => true,
): Promise<{ local: LocalObject[]; hashed: number }> {
  const cacheControlFor = cacheControlRules(settings.cacheRules);
  let hashed = 0;
  const local = await readEach(files, settings, signal, async (file): Promise<LocalObject> => {
    const contentType = contentTypeFor(file.key);
    let fingerprint = hashes.get(file.key, file);
    if (!fingerprint) {
      hashed++;
      const keep = mayUpload(file) && contents.hasRoom(file.size);
      fingerprint = await fingerprintFile(
        file.path,
        file.size,
        keep ? { onWholeRead: (data) => contents.offer(file.key, data) } : {},
      );
    }
    hashes.set(file.key, file, fingerprint);
    return {
      key: file.key,
      path: file.path,
      size: file.size,
      stamp: { size: file.size, mtimeMs: file.mtimeMs, ino: file.ino },
      fingerprint,
      metadata: { contentType, cacheControl: cacheControlFor(file.key, contentType) },
    };
  });
  return { local, hashed };
}

/**
 * A large file's plain MD5 is computed only when the bucket holds a single-part object under its key
 * (after a metadata update by copy, or another tool's upload): most syncs hash big files once.
 */
export async function completeFingerprints(
  local: LocalObject[],
  remote: ReadonlyMap<string, RemoteObject>,
  settings: DescribeSettings,
  hashes: HashCache,
  signal?: AbortSignal,
): Promise<void> {
  const pending = local.filter((file) => {
    const existing = remote.get(file.key);
    return existing !== undefined && needsWholeMd5(file.fingerprint, existing.etag);
  });
  await readEach(pending, settings, signal, async (file) => {
    file.fingerprint = await fingerprintFile(file.path, file.size, { wholeMd5: true });
    hashes.set(file.key, file.stamp, file.fingerprint);
  });
}

/**
 * `read` over every file, `settings.concurrency` at once, results in the files' order. A file that
 * cannot be read does not stop the others: all of them are named in one UserError at the end.
 */
async function readEach<F extends { key: string }, R>(
  files: F[],
  settings: DescribeSettings,
  signal: AbortSignal | undefined,
  read: (file: F) => Promise<R>,
): Promise<R[]> {
  const errors: { item: F; error: unknown }[] = [];
  const results = await pMap(
    files,
    async (file) => {
      try {
        return await read(file);
      } catch (error) {
        errors.push({ item: file, error });
        return pMapSkip;
      }
    },
    { concurrency: settings.concurrency, ...(signal ? { signal } : {}) },
  ).finally(() => checkAborted(signal));
  if (errors.length > 0) throw unreadable(errors, settings.dir);
  return results;
}

function unreadable(errors: { item: { key: string }; error: unknown }[], dir: string): UserError {
  const named = errors
    .slice(0, NAMED_FAILURES)
    .map(({ item, error }) => `${item.key} (${(error as Error).message})`);
  const more = errors.length > NAMED_FAILURES ? ` and ${errors.length - NAMED_FAILURES} more` : '';
  return new UserError(
    `cannot read ${errors.length} file(s) of ${dir}: ${named.join(', ')}${more}`,
    'nothing was uploaded; fix the permissions or the build, then sync again',
  );
}
