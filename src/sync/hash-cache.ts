import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Fingerprint } from './fingerprint.js';
import { PART_SIZE } from './multipart-etag.js';

/**
 * A local record of what each file of the build folder hashed to, like git's index: path, size,
 * modification time and inode → MD5 / multipart ETag. A file whose size, mtime and inode are those
 * recorded is not read again, so an unchanged re-sync hashes nothing; a touched file is hashed again
 * (and, its bytes being the same, still not uploaded).
 *
 * A hint, never a proof of anything but "these bytes were seen under these stat values": a corrupt
 * cache, another version, another folder or another part size is ignored as a whole. A file changed
 * within the same timestamp tick as the cache was written is not trusted (git's "racy" entries):
 * entries are used only for files older than the cache by RACY_MS.
 */
export const HASH_CACHE_VERSION = 1;
/** Its file name, in the state folder. */
export const HASH_CACHE_NAME = 'sync-hashes.json';
const RACY_MS = 2000;

/** What identifies a file's bytes without reading them. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ino: number;
}

interface Entry extends FileStamp {
  md5?: string;
  multipartEtag?: string;
}

interface CacheFile {
  version: typeof HASH_CACHE_VERSION;
  /** The build folder (real path). */
  root: string;
  partSize: number;
  savedAt: number;
  entries: Record<string, Entry>;
}

export class HashCache {
  private readonly next: Record<string, Entry> = {};

  private constructor(
    private readonly file: string | undefined,
    private readonly root: string,
    private readonly known: Record<string, Entry>,
    private readonly savedAt: number,
  ) {}

  /** The cache of this folder, or an empty one; `file` undefined keeps nothing. */
  static async load(file: string | undefined, root: string): Promise<HashCache> {
    if (!file) return new HashCache(undefined, root, {}, 0);
    const data = await readFile(file, 'utf8').then(
      (text) => parse(text, root),
      () => undefined,
    );
    return new HashCache(file, root, data?.entries ?? {}, data?.savedAt ?? 0);
  }

  /** The fingerprint recorded for a key, when the file looks exactly as it did then. */
  get(key: string, stamp: FileStamp): Fingerprint | undefined {
    const entry = this.known[key];
    if (!entry || entry.size !== stamp.size || entry.mtimeMs !== stamp.mtimeMs || entry.ino !== stamp.ino)
      return undefined;
    if (stamp.mtimeMs > this.savedAt - RACY_MS) return undefined;
    const fingerprint: Fingerprint = {};
    if (entry.md5) fingerprint.md5 = entry.md5;
    if (entry.multipartEtag) fingerprint.multipartEtag = entry.multipartEtag;
    return fingerprint;
  }

  set(key: string, stamp: FileStamp, fingerprint: Fingerprint): void {
    this.next[key] = { size: stamp.size, mtimeMs: stamp.mtimeMs, ino: stamp.ino, ...fingerprint };
  }

  /** Write what this sync saw (only the folder's current files), atomically. */
  async save(now = Date.now()): Promise<void> {
    if (!this.file) return;
    const data: CacheFile = {
      version: HASH_CACHE_VERSION,
      root: this.root,
      partSize: PART_SIZE,
      savedAt: now,
      entries: this.next,
    };
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.tmp-${process.pid}`;
    await writeFile(temporary, JSON.stringify(data));
    await rename(temporary, this.file);
  }
}

const MD5 = /^[0-9a-f]{32}$/;
const MULTIPART_ETAG = /^[0-9a-f]{32}-[0-9]+$/;

function parse(text: string, root: string): CacheFile | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  const file = data as Partial<CacheFile> | null;
  if (
    !file ||
    typeof file !== 'object' ||
    file.version !== HASH_CACHE_VERSION ||
    file.root !== root ||
    file.partSize !== PART_SIZE ||
    typeof file.savedAt !== 'number' ||
    !file.entries ||
    typeof file.entries !== 'object'
  )
    return undefined;
  const entries: Record<string, Entry> = {};
  for (const [key, value] of Object.entries(file.entries)) {
    const entry = value as Partial<Entry> | null;
    if (
      entry &&
      typeof entry.size === 'number' &&
      typeof entry.mtimeMs === 'number' &&
      typeof entry.ino === 'number' &&
      (entry.md5 === undefined || MD5.test(String(entry.md5))) &&
      (entry.multipartEtag === undefined || MULTIPART_ETAG.test(String(entry.multipartEtag))) &&
      (entry.md5 !== undefined || entry.multipartEtag !== undefined)
    ) {
      const kept: Entry = { size: entry.size, mtimeMs: entry.mtimeMs, ino: entry.ino };
      if (typeof entry.md5 === 'string') kept.md5 = entry.md5;
      if (typeof entry.multipartEtag === 'string') kept.multipartEtag = entry.multipartEtag;
      entries[key] = kept;
    }
  }
  return { ...(file as CacheFile), entries };
}
