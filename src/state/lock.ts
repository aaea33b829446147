import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { UserError, WorkError } from '../errors.js';
import { stateFileError } from './file-errors.js';

/** What a lock file holds: enough to tell the user who holds it, and to recognise a dead holder. */
export interface LockInfo {
  pid: number;
  host: string;
  /** ISO time the run started. */
  startedAt: string;
  command: string;
}

export interface StateLock {
  readonly path: string;
  readonly info: LockInfo;
  release(): Promise<void>;
  /** For a process that exits right now (a second Ctrl-C): no await is possible there. */
  releaseSync(): void;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What is at the lock path: nothing, a readable lock, or a file that does not say who holds it. */
type LockFound =
  | { kind: 'none' }
  | { kind: 'held'; holder: LockInfo }
  | { kind: 'unreadable'; reason: string; owner?: Pick<LockInfo, 'pid' | 'host'> };

/** The pid and host a damaged lock file still shows, if any (a lock file is small and flat). */
function salvageOwner(text: string): Pick<LockInfo, 'pid' | 'host'> | undefined {
  const pid = /"pid"\s*:\s*(\d+)/.exec(text)?.[1];
  const host = /"host"\s*:\s*"([^"\\]*)"/.exec(text)?.[1];
  return pid !== undefined && host !== undefined ? { pid: Number(pid), host } : undefined;
}

async function readLock(path: string): Promise<LockFound> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    throw stateFileError('the lock file', path, error);
  }
  if (text.trim() === '') return { kind: 'unreadable', reason: 'empty' };
  let parsed: Partial<LockInfo> | null;
  try {
    parsed = JSON.parse(text) as Partial<LockInfo> | null;
  } catch {
    const owner = salvageOwner(text);
    return { kind: 'unreadable', reason: 'not valid JSON', ...(owner && { owner }) };
  }
  if (typeof parsed?.pid !== 'number' || typeof parsed.host !== 'string') {
    return { kind: 'unreadable', reason: 'missing its pid or host' };
  }
  return {
    kind: 'held',
    holder: {
      pid: parsed.pid,
      host: parsed.host,
      startedAt: String(parsed.startedAt ?? 'an unknown time'),
      command: String(parsed.command ?? 'unknown'),
    },
  };
}

/**
 * Write the whole lock file under a temporary name, then hard-link it to the lock path: `link` fails
 * with EEXIST when a lock is already there, so taking the lock is atomic and a reader never sees a
 * half-written lock file.
 */
async function tryCreate(path: string, info: LockInfo): Promise<boolean> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const handle = await open(temp, 'wx', 0o600).catch((error: unknown) => {
    throw stateFileError('the lock file', path, error);
  });
  try {
    await handle.writeFile(`${JSON.stringify(info)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw stateFileError('the lock file', path, error);
  } finally {
    await unlink(temp).catch(() => {});
  }
}

/**
 * Take the lock beside the state file. A lock left by a process that no longer runs on this host is
 * taken over (with `onWarning`); a lock held by a live process, or by another host, is a WorkError
 * naming who holds it since when. A damaged lock file (empty, not JSON) is taken over only when the
 * pid and host it still shows are a process gone from this host; else it is a UserError naming it.
 */
export async function acquireLock(
  path: string,
  command: string,
  onWarning: (message: string) => void = () => {},
): Promise<StateLock> {
  const info: LockInfo = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    command,
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await tryCreate(path, info)) {
      let released = false;
      const ours = (current: Partial<LockInfo>) => current.pid === info.pid && current.host === info.host;
      return {
        path,
        info,
        async release() {
          if (released) return;
          released = true;
          const found = await readLock(path).catch(() => undefined);
          if (found?.kind === 'held' && ours(found.holder)) await unlink(path).catch(() => {});
        },
        releaseSync() {
          if (released) return;
          released = true;
          try {
            if (ours(JSON.parse(readFileSync(path, 'utf8')) as LockInfo)) unlinkSync(path);
          } catch {
            // Gone or unreadable: nothing of ours to remove.
          }
        },
      };
    }
    const found = await readLock(path);
    // Vanished between our attempt and the read: try again.
    if (found.kind === 'none') continue;
    if (found.kind === 'unreadable') {
      // A run writes its lock whole before it appears (see tryCreate), so a damaged lock file is not
      // one being written; it is stale only if the run it names is gone, which only this host can tell.
      const { owner, reason } = found;
      if (owner && owner.host === info.host && !processAlive(owner.pid)) {
        onWarning(
          `took over the lock file ${path} (${reason}): the run that held it, pid ${owner.pid}, is no longer running`,
        );
        await unlink(path).catch(() => {});
        continue;
      }
      const who = owner
        ? `it names pid ${owner.pid} on ${owner.host}, which may still be running`
        : 'it does not say which run holds it';
      throw new UserError(
        `the lock file ${path} is ${reason}: ${who}`,
        `if no other tekamolo run is working on this stack, delete ${path}; nothing was changed`,
      );
    }
    const { holder } = found;
    if (holder.host === info.host && !processAlive(holder.pid)) {
      onWarning(
        `took over a stale lock from ${holder.command} (pid ${holder.pid}, started ${holder.startedAt}), which is no longer running`,
      );
      await unlink(path).catch(() => {});
      continue;
    }
    throw new WorkError(
      `the stack is locked by \`tekamolo ${holder.command}\` (pid ${holder.pid} on ${holder.host}) since ${holder.startedAt}`,
      `wait for that run to finish; if it is gone for good, delete ${path}`,
    );
  }
  throw new WorkError(
    `could not take the lock ${path}: it keeps changing`,
    'is another run starting right now?',
  );
}
