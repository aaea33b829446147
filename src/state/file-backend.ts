import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StateBackend } from './backend.js';
import { stateFileError, stateSaveError } from './file-errors.js';
import { acquireLock, type StateLock } from './lock.js';

/**
 * The state as a local file: every write is whole and atomic (temporary file, fsync, rename) with
 * mode 0600, and keeps the previous version as `.bak`; the lock is a file beside it.
 */
export class FileBackend implements StateBackend {
  constructor(readonly path: string) {}

  get location(): string {
    return this.path;
  }

  get restoreHint(): string {
    return `restore it from ${this.path}.bak`;
  }

  async read(): Promise<string | undefined> {
    try {
      return await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw stateFileError('the state file', this.path, error);
    }
  }

  async lock(command: string, onWarning: (message: string) => void): Promise<StateLock> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 }).catch((error: unknown) => {
      throw stateFileError('the state file', this.path, error);
    });
    return acquireLock(`${this.path}.lock`, command, onWarning);
  }

  async write(text: string): Promise<void> {
    try {
      await this.writeWhole(text);
    } catch (error) {
      throw stateSaveError(this.path, error);
    }
  }

  async remove(): Promise<void> {
    await copyFile(this.path, `${this.path}.bak`).catch(() => {});
    await unlink(this.path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  private async writeWhole(text: string): Promise<void> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await copyFile(this.path, `${this.path}.bak`).catch(() => {});
      await rename(temp, this.path);
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw error;
    }
    // The rename is durable only once the folder's entry is on disk too; not every platform allows it.
    const folder = await open(dir, 'r').catch(() => undefined);
    await folder?.sync().catch(() => {});
    await folder?.close();
  }
}
