import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { PRIVATE_PREFIX } from '../config/bucket-keys.js';
import { UserError } from '../errors.js';
import { runPool } from './pool.js';

export interface LocalFile {
  /** S3 key: the path relative to the folder, with `/`. */
  key: string;
  /** Absolute path to read. */
  path: string;
  size: number;
}

export interface ScanResult {
  root: string;
  files: LocalFile[];
  /** Entries that were left out, each with the reason (a symlink leaving the folder, a socket). */
  skipped: string[];
}

type Found =
  | { kind: 'file'; file: LocalFile }
  | { kind: 'dir'; key: string; path: string }
  | { kind: 'skip'; reason: string };

const STAT_CONCURRENCY = 32;

function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root + sep);
}

/**
 * List the build folder. Symlinks are followed only while their target stays inside the folder (a
 * link to `/etc` or `~/.aws` is skipped, never uploaded); a link to one of its own parent folders
 * (a loop) is skipped. A missing or empty folder is a UserError: with `--delete` it would empty the bucket.
 */
export async function scanFolder(dir: string): Promise<ScanResult> {
  const absolute = resolve(dir);
  let root: string;
  try {
    root = await realpath(absolute);
    if (!(await stat(root)).isDirectory()) throw new UserError(`${dir} is not a folder`);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(
      `the frontend folder ${dir} does not exist`,
      'build the frontend first, or point frontend.dir (or --dir) at the build output',
    );
  }

  const files: LocalFile[] = [];
  const skipped: string[] = [];
  async function walk(realDir: string, keyPrefix: string, ancestors: Set<string>): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(realDir, { withFileTypes: true });
    } catch (error) {
      throw new UserError(`cannot read the folder ${realDir}: ${(error as Error).message}`);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // The entries of a folder are looked at in parallel (a stat each): a build folder holds thousands
    // of files in a few folders, and the file system answers several at once.
    const { results } = await runPool(entries, STAT_CONCURRENCY, (entry) => look(realDir, keyPrefix, entry), {
      stopOnError: true,
    });
    for (const found of results) {
      if (!found) continue;
      if (found.kind === 'skip') skipped.push(found.reason);
      else if (found.kind === 'file') files.push(found.file);
      else if (ancestors.has(found.path))
        skipped.push(`${found.key}: symbolic link to its own parent folder`);
      else await walk(found.path, `${found.key}/`, new Set([...ancestors, found.path]));
    }
  }

  async function look(realDir: string, keyPrefix: string, entry: Dirent): Promise<Found> {
    const key = keyPrefix + entry.name;
    let path = join(realDir, entry.name);
    if (entry.isSymbolicLink()) {
      let target: string;
      try {
        target = await realpath(path);
      } catch {
        throw new UserError(`${join(dir, key)} is a broken symbolic link`, 'remove it or fix its target');
      }
      if (!isInside(root, target))
        return { kind: 'skip', reason: `${key}: symbolic link to ${target}, outside the folder` };
      path = target;
    }
    const info = await stat(path);
    // The bucket policy denies CloudFront everything under this prefix: a file there would go up and
    // never be served.
    if (`${key}/` === PRIVATE_PREFIX || key.startsWith(PRIVATE_PREFIX)) {
      return {
        kind: 'skip',
        reason: `${key}: ${PRIVATE_PREFIX} is kept for tekamolo's own files in the bucket and never served`,
      };
    }
    if (info.isDirectory()) return { kind: 'dir', key, path };
    if (!info.isFile()) return { kind: 'skip', reason: `${key}: not a regular file` };
    return { kind: 'file', file: { key, path, size: info.size } };
  }

  await walk(root, '', new Set([root]));
  if (files.length === 0) {
    throw new UserError(
      `the frontend folder ${dir} is empty`,
      'build the frontend first; an empty folder is never synced (with --delete it would empty the bucket)',
    );
  }
  files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { root, files, skipped };
}
