import { isAbsolute, resolve } from 'node:path';
import { UserError } from '../errors.js';
import type { StateBackend } from './backend.js';
import { FileBackend } from './file-backend.js';
import type { StateLock } from './lock.js';
import { type AccountPin, type ResourceState, STATE_VERSION, type StateFile } from './types.js';

export interface OpenStateOptions {
  /** Absolute path of the state file: on this machine, or where machine-local files go beside it. */
  path: string;
  /** Where the state is kept; the file at `path` when absent. */
  backend?: StateBackend;
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

function parseState(backend: StateBackend, text: string, stack: string): StateFile {
  const path = backend.location;
  const restore = backend.restoreHint;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(
      `the state file ${path} is corrupt: ${(error as Error).message}`,
      `it was not changed; ${restore} or move it away (tekamolo then finds resources by name and tag)`,
    );
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new UserError(`the state file ${path} is corrupt: not a JSON object`, restore);
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
      "point state.path (or state.key) at this stack's own state, or fix the stack name in the config",
    );
  }
  if (!file.resources || typeof file.resources !== 'object') {
    throw new UserError(`the state file ${path} is corrupt: no "resources" object`, restore);
  }
  const account = file.account;
  if (account !== undefined && !isAccountPin(account)) {
    throw new UserError(
      `the state file ${path} is corrupt: "account" is not an account id and partition`,
      restore,
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
 * The state: one entry per resource key. Every `save` writes the whole state through its backend (a
 * local file, or S3). Saves are serialized: several resources finish at once, and the last write must
 * hold all of them.
 */
export class StateStore {
  private data: StateFile;
  private existed: boolean;
  private queue: Promise<void> = Promise.resolve();
  private lock: StateLock | undefined;

  private constructor(
    readonly path: string,
    private readonly backend: StateBackend,
    data: StateFile,
    existed: boolean,
  ) {
    this.data = data;
    this.existed = existed;
  }

  /** Read the state (a missing one is an empty state) and take the lock when asked. */
  static async open(options: OpenStateOptions): Promise<StateStore> {
    const path = resolve(options.path);
    const backend = options.backend ?? new FileBackend(path);
    const lock = options.lock
      ? await backend.lock(options.lock.command, options.lock.onWarning ?? (() => {}))
      : undefined;
    try {
      const text = await backend.read();
      const data =
        text === undefined
          ? { version: STATE_VERSION, stack: options.stack, updatedAt: '', resources: {}, retired: [] }
          : parseState(backend, text, options.stack);
      const store = new StateStore(path, backend, data, text !== undefined);
      store.lock = lock;
      return store;
    } catch (error) {
      await lock?.release();
      throw error;
    }
  }

  /** How messages name the state: its path, or `s3://bucket/key`. */
  get location(): string {
    return this.backend.location;
  }

  /** Whether the state exists (on disk, or in the bucket). */
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

  /** Take over a whole state (`state push`); written with the next save. */
  replaceWith(file: StateFile): void {
    this.data = { ...structuredClone(file), stack: this.data.stack };
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

  /** Remove the state once everything is gone; the previous version stays as the last record. */
  async removeFile(): Promise<void> {
    const run = this.queue.then(async () => {
      if (!this.existed) return;
      await this.backend.remove();
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
    this.data.updatedAt = new Date().toISOString();
    await this.backend.write(`${JSON.stringify(this.data, null, 2)}\n`);
    this.existed = true;
  }
}
