import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { WorkError } from '../errors.js';

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

async function readLock(path: string): Promise<LockInfo | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LockInfo>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return undefined;
    return {
      pid: parsed.pid,
      host: parsed.host,
      startedAt: String(parsed.startedAt ?? 'an unknown time'),
      command: String(parsed.command ?? 'unknown'),
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Write the whole lock file under a temporary name, then hard-link it to the lock path: `link` fails
 * with EEXIST when a lock is already there, so taking the lock is atomic and a reader never sees a
 * half-written lock file.
 */
async function tryCreate(path: string, info: LockInfo): Promise<boolean> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const handle = await open(temp, 'wx', 0o600);
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
    throw error;
  } finally {
    await unlink(temp).catch(() => {});
  }
}

/**
 * Take the lock beside the state file. A lock left by a process that no longer runs on this host is
 * taken over (with `onWarning`); a lock held by a live process, or by another host, is a WorkError
 * naming who holds it since when.
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
      const ours = (current: LockInfo | undefined) =>
        current !== undefined && current.pid === info.pid && current.host === info.host;
      return {
        path,
        info,
        async release() {
          if (released) return;
          released = true;
          if (ours(await readLock(path))) await unlink(path).catch(() => {});
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
    const holder = await readLock(path);
    if (!holder) {
      // Unreadable or vanished between our attempt and the read: a holder writes its lock whole
      // (see tryCreate), so an unreadable lock is not a live run's. Remove it and try again.
      await unlink(path).catch(() => {});
      continue;
    }
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
