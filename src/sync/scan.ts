import { type Dirent, type Stats, statSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import pMap from 'p-map';
import { PRIVATE_PREFIX } from '../config/bucket-keys.js';
import { UserError } from '../errors.js';
import { BY_EXCLUDE, isSecretLooking, type Selection, type SelectionRules, selection } from './selection.js';

export interface LocalFile {
  /** S3 key: the path relative to the folder, with `/`. */
  key: string;
  /** Absolute path to read. */
  path: string;
  size: number;
  /** With size, what the local hash cache (hash-cache.ts) knows a file by. */
  mtimeMs: number;
  ino: number;
}

/** A file of tekamolo's own that must never be published, wherever the build folder is. */
export interface PrivatePath {
  /** Absolute path. */
  path: string;
  /** What it is, for the listing of skipped paths: "the config file". */
  what: string;
  /** Also every file whose path starts with it (`state.json.lock`, `state.json.tmp-…`). */
  siblings?: boolean;
}

export interface ScanOptions extends SelectionRules {
  /** The config file: a build folder that holds it is refused unless `frontend.exclude` names it. */
  configFile?: string;
  /** Never published: the state folder or file, the user-data script. */
  privatePaths?: PrivatePath[];
}

/** A path left out on purpose (a rule, not a problem): counted in the summary, listed with -v. */
export interface Excluded {
  /** The key it would have had; a folder ends in `/`. */
  key: string;
  reason: string;
}

export interface ScanResult {
  root: string;
  files: LocalFile[];
  /** Entries that were left out, each with the reason (a symlink leaving the folder, a socket). */
  skipped: string[];
  /** Paths left out by the publishing rules (selection.ts) and tekamolo's own files. */
  excluded: Excluded[];
  /** Secret-looking keys published only because `frontend.include` names them. */
  includedSecrets: string[];
}

type Found =
  | { kind: 'file'; file: LocalFile }
  | { kind: 'bad'; problem: string }
  | { kind: 'dir'; key: string; path: string }
  | { kind: 'skip'; reason: string }
  | { kind: 'excluded'; excluded: Excluded };

const STAT_CONCURRENCY = 32;

/**
 * The stat of a folder entry, in one blocking call: a build folder is thousands of files on a local
 * disk, and a stat through the thread pool costs about twice the CPU of a blocking one (as reads do,
 * fingerprint.ts), for a pause of microseconds per file. Undefined for a name that cannot exist.
 */
function fileStats(path: string, name: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    // A name that is not valid UTF-8 reaches JavaScript with U+FFFD in place of the bad bytes, and
    // that name does not exist. It could not be an S3 key either.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && name.includes('\uFFFD')) return undefined;
    throw error;
  }
}

/** S3 refuses longer keys (UTF-8 bytes). */
export const MAX_KEY_BYTES = 1024;
/** How many unusable names a message shows before "and N more". */
const NAMED_PROBLEMS = 5;

function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root + sep);
}

/**
 * List the build folder. Symlinks are followed only while their target stays inside the folder (a
 * link to `/etc` or `~/.aws` is skipped, never uploaded); a link to one of its own parent folders
 * (a loop) is skipped. A missing or empty folder is a UserError: with `--delete` it would empty the bucket.
 */
export async function scanFolder(dir: string, options: ScanOptions = {}): Promise<ScanResult> {
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

  const rules = selection(options);
  // A folder around the build folder (a state folder above it) would hide everything: only what lies
  // inside counts.
  const privatePaths = (await Promise.all((options.privatePaths ?? []).map(realPrivatePath))).filter(
    (own) => !isInside(own.path, root),
  );
  if (options.configFile) await refuseConfigInside(root, dir, options.configFile, rules);

  const files: LocalFile[] = [];
  const skipped: string[] = [];
  const excluded: Excluded[] = [];
  const includedSecrets: string[] = [];
  const problems: string[] = [];
  async function walk(realDir: string, keyPrefix: string, ancestors: Set<string>): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(realDir, { withFileTypes: true });
    } catch (error) {
      throw new UserError(`cannot read the folder ${realDir}: ${(error as Error).message}`);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // The entries of a folder are looked at in parallel: a symbolic link's target is asked for
    // asynchronously, the rest is a blocking stat (fileStats).
    const results = await pMap(entries, (entry) => look(realDir, keyPrefix, entry), {
      concurrency: STAT_CONCURRENCY,
    });
    for (const found of results) {
      if (!found) continue;
      if (found.kind === 'skip') skipped.push(found.reason);
      else if (found.kind === 'bad') problems.push(found.problem);
      else if (found.kind === 'excluded') excluded.push(found.excluded);
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
    const own = privatePaths.find((p) => covers(p, path));
    const info = fileStats(path, entry.name);
    if (!info) {
      const verdict = rules.file(key);
      if (!verdict.publish) return { kind: 'excluded', excluded: { key, reason: verdict.reason } };
      return { kind: 'bad', problem: `${key} (the name is not valid UTF-8)` };
    }
    const shownKey = info.isDirectory() ? `${key}/` : key;
    if (own) return { kind: 'excluded', excluded: { key: shownKey, reason: own.what } };
    // The bucket policy gives CloudFront nothing under this prefix: a file there would go up and never
    // be served.
    if (`${key}/` === PRIVATE_PREFIX || key.startsWith(PRIVATE_PREFIX)) {
      return {
        kind: 'skip',
        reason: `${key}: ${PRIVATE_PREFIX} is kept for tekamolo's own files in the bucket and never served`,
      };
    }
    if (info.isDirectory()) {
      const reason = rules.skipsFolder(key);
      if (reason) return { kind: 'excluded', excluded: { key: shownKey, reason } };
      return { kind: 'dir', key, path };
    }
    if (!info.isFile()) return { kind: 'skip', reason: `${key}: not a regular file` };
    const verdict = rules.file(key);
    if (!verdict.publish) return { kind: 'excluded', excluded: { key, reason: verdict.reason } };
    const bytes = Buffer.byteLength(key, 'utf8');
    if (bytes > MAX_KEY_BYTES) {
      return {
        kind: 'bad',
        problem: `${key.slice(0, 60)}… (${bytes} bytes as a key; S3 allows ${MAX_KEY_BYTES})`,
      };
    }
    if (verdict.included && isSecretLooking(key)) includedSecrets.push(key);
    return { kind: 'file', file: { key, path, size: info.size, mtimeMs: info.mtimeMs, ino: info.ino } };
  }

  await walk(root, '', new Set([root]));
  if (problems.length > 0) {
    problems.sort();
    const more = problems.length > NAMED_PROBLEMS ? ` and ${problems.length - NAMED_PROBLEMS} more` : '';
    throw new UserError(
      `${problems.length} file(s) of ${dir} cannot be uploaded under their names: ${problems.slice(0, NAMED_PROBLEMS).join(', ')}${more}`,
      'nothing was uploaded; rename them, or list them in frontend.exclude',
    );
  }
  excluded.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  includedSecrets.sort();
  if (files.length === 0) {
    throw new UserError(
      `the frontend folder ${dir} is empty`,
      'build the frontend first; an empty folder is never synced (with --delete it would empty the bucket)',
    );
  }
  files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { root, files, skipped, excluded, includedSecrets };
}

function covers(own: PrivatePath, path: string): boolean {
  return isInside(own.path, path) || (own.siblings === true && path.startsWith(own.path));
}

/** Paths are compared as the walk sees them: with symbolic links resolved. */
async function realPrivatePath(own: PrivatePath): Promise<PrivatePath> {
  try {
    return { ...own, path: await realpath(own.path) };
  } catch {
    return { ...own, path: resolve(own.path) };
  }
}

/**
 * `frontend.dir: .` (or a build folder around the config) would publish the config, which names the
 * account's resources and the paths of the user data and state: refused, so that the mistake is seen,
 * unless `frontend.exclude` shows that the user means it. Even then the config is never uploaded.
 */
async function refuseConfigInside(
  root: string,
  dir: string,
  configFile: string,
  rules: Selection,
): Promise<void> {
  const real = await realpath(configFile).catch(() => resolve(configFile));
  if (!isInside(root, real)) return;
  const key = relative(root, real).split(sep).join('/');
  const verdict = rules.file(key);
  if (!verdict.publish && verdict.reason === BY_EXCLUDE) return;
  throw new UserError(
    `the frontend folder ${dir} contains the config file ${key}: syncing it would publish the config`,
    `point frontend.dir (or --dir) at the build output, or add "${key}" to frontend.exclude`,
  );
}
