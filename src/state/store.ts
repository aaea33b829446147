import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { stateFileError, stateSaveError } from './file-errors.js';
import { acquireLock, type StateLock } from './lock.js';
import { type AccountPin, type ResourceState, STATE_VERSION, type StateFile } from './types.js';

export interface OpenStateOptions {
  /** Absolute path of the state file. */
  path: string;
  stack: string;
  /** Take the lock beside the state file for this command (`up`, `destroy`). */
  lock?: { command: string; onWarning?: (message: string) => void };
}

/** The state file path: `state.path` of the config, relative to the config file's folder. */
export function statePath(configDir: string, configured: string): string {
  return isAbsolute(configured) ? configured : resolve(configDir, configured);
}

export interface RetiredEntry {
  key: string;
  actual: ResourceState;
}

function parseState(path: string, text: string, stack: string): StateFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(
      `the state file ${path} is corrupt: ${(error as Error).message}`,
      `it was not changed; restore it from ${path}.bak or move it away (tekamolo then finds resources by name and tag)`,
    );
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new UserError(
      `the state file ${path} is corrupt: not a JSON object`,
      `restore it from ${path}.bak`,
    );
  }
  const file = data as Partial<StateFile>;
  if (file.version !== STATE_VERSION) {
    throw new UserError(
      `the state file ${path} has version ${JSON.stringify(file.version)}; this tekamolo reads version ${STATE_VERSION}`,
      'use the tekamolo version that wrote it; the file was not changed',
    );
  }
  if (file.stack !== stack) {
    throw new UserError(
      `the state file ${path} belongs to stack "${String(file.stack)}", but the config says "${stack}"`,
      "point state.path at this stack's own state file, or fix the stack name in the config",
    );
  }
  if (!file.resources || typeof file.resources !== 'object') {
    throw new UserError(
      `the state file ${path} is corrupt: no "resources" object`,
      `restore it from ${path}.bak`,
    );
  }
  const account = file.account;
  if (account !== undefined && !isAccountPin(account)) {
    throw new UserError(
      `the state file ${path} is corrupt: "account" is not an account id and partition`,
      `restore it from ${path}.bak`,
    );
  }
  return {
    version: STATE_VERSION,
    stack,
    updatedAt: String(file.updatedAt ?? ''),
    ...(account && { account: { id: account.id, partition: account.partition } }),
    resources: file.resources,
    retired: Array.isArray(file.retired) ? file.retired : [],
  };
}

function isAccountPin(value: unknown): value is AccountPin {
  const pin = value as Partial<AccountPin> | null;
  return (
    typeof pin === 'object' &&
    pin !== null &&
    typeof pin.id === 'string' &&
    /^\d{12}$/.test(pin.id) &&
    typeof pin.partition === 'string'
  );
}

/**
 * The state file: one entry per resource key. Every `save` writes the whole file atomically
 * (temporary file, fsync, rename) with mode 0600 and keeps the previous version as `.bak`. Saves are
 * serialized: several resources finish at once, and the last write must hold all of them.
 */
export class StateStore {
  private data: StateFile;
  private existed: boolean;
  private queue: Promise<void> = Promise.resolve();
  private lock: StateLock | undefined;

  private constructor(
    readonly path: string,
    data: StateFile,
    existed: boolean,
  ) {
    this.data = data;
    this.existed = existed;
  }

  /** Read the state file (a missing file is an empty state) and take the lock when asked. */
  static async open(options: OpenStateOptions): Promise<StateStore> {
    const path = resolve(options.path);
    let lock: StateLock | undefined;
    if (options.lock) {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 }).catch((error: unknown) => {
        throw stateFileError('the state file', path, error);
      });
      lock = await acquireLock(`${path}.lock`, options.lock.command, options.lock.onWarning);
    }
    try {
      let text: string | undefined;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
          throw stateFileError('the state file', path, error);
      }
      const data =
        text === undefined
          ? { version: STATE_VERSION, stack: options.stack, updatedAt: '', resources: {}, retired: [] }
          : parseState(path, text, options.stack);
      const store = new StateStore(path, data, text !== undefined);
      store.lock = lock;
      return store;
    } catch (error) {
      await lock?.release();
      throw error;
    }
  }

  /** Whether the state file is on disk. */
  get exists(): boolean {
    return this.existed;
  }

  get stack(): string {
    return this.data.stack;
  }

  /** The account the stack lives in, as the first `up` recorded it. */
  get account(): AccountPin | undefined {
    return this.data.account && { ...this.data.account };
  }

  /** Record the account; written with the next save. */
  pinAccount(pin: AccountPin): void {
    this.data.account = { ...pin };
  }

  keys(): string[] {
    return Object.keys(this.data.resources);
  }

  get(key: string): ResourceState | undefined {
    const entry = this.data.resources[key];
    return entry ? structuredClone(entry) : undefined;
  }

  set(key: string, attributes: ResourceState): void {
    this.data.resources[key] = structuredClone(attributes);
  }

  merge(key: string, attributes: ResourceState): void {
    this.data.resources[key] = { ...this.data.resources[key], ...structuredClone(attributes) };
  }

  remove(key: string): void {
    delete this.data.resources[key];
  }

  /** Replaced resources not deleted yet (deleted once their consumers moved to the new one). */
  retired(): RetiredEntry[] {
    return structuredClone(this.data.retired ?? []);
  }

  addRetired(entry: RetiredEntry): void {
    this.data.retired = [...(this.data.retired ?? []), structuredClone(entry)];
  }

  removeRetired(key: string, id: unknown): void {
    this.data.retired = (this.data.retired ?? []).filter(
      (r) => !(r.key === key && JSON.stringify(r.actual.id) === JSON.stringify(id)),
    );
  }

  /** Nothing left: no resource entry and nothing retired. */
  get empty(): boolean {
    return this.keys().length === 0 && (this.data.retired ?? []).length === 0;
  }

  /** A copy of the whole file as it would be written. */
  snapshot(): StateFile {
    return structuredClone(this.data);
  }

  /** Write the state now; concurrent calls are queued, each writes the state as it is then. */
  save(): Promise<void> {
    const run = this.queue.then(() => this.write());
    this.queue = run.catch(() => {});
    return run;
  }

  /** Remove the state file once everything is gone; its `.bak` stays as the last record. */
  async removeFile(): Promise<void> {
    const run = this.queue.then(async () => {
      if (!this.existed) return;
      await copyFile(this.path, `${this.path}.bak`).catch(() => {});
      await unlink(this.path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      this.existed = false;
    });
    this.queue = run.catch(() => {});
    return run;
  }

  /** Release the lock at once, without waiting for saves (the process exits right after). */
  releaseLockSync(): void {
    this.lock?.releaseSync();
    this.lock = undefined;
  }

  /** Wait for pending saves and release the lock. */
  async close(): Promise<void> {
    await this.queue;
    await this.lock?.release();
    this.lock = undefined;
  }

  private async write(): Promise<void> {
    try {
      await this.writeWhole();
    } catch (error) {
      throw stateSaveError(this.path, error);
    }
  }

  private async writeWhole(): Promise<void> {
    this.data.updatedAt = new Date().toISOString();
    const text = `${JSON.stringify(this.data, null, 2)}\n`;
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
      if (this.existed) await copyFile(this.path, `${this.path}.bak`).catch(() => {});
      await rename(temp, this.path);
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw error;
    }
    this.existed = true;
    // The rename is durable only once the folder's entry is on disk too; not every platform allows it.
    const folder = await open(dir, 'r').catch(() => undefined);
    await folder?.sync().catch(() => {});
    await folder?.close();
  }
}
