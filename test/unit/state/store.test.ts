import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ExitCode, UserError, WorkError } from '../../../src/errors.js';
import { acquireLock } from '../../../src/state/lock.js';
import { StateStore, statePath } from '../../../src/state/store.js';
import { STATE_VERSION } from '../../../src/state/types.js';

let dir: string;
let path: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tekamolo-state-'));
  path = join(dir, '.tekamolo', 'state.json');
});

describe('state store', () => {
  it('resolves the path relative to the config folder unless absolute', () => {
    expect(statePath('/srv/site', '.tekamolo/state.json')).toBe('/srv/site/.tekamolo/state.json');
    expect(statePath('/srv/site', '/var/lib/t.json')).toBe('/var/lib/t.json');
  });

  it('starts empty when there is no file and writes nothing until saved', async () => {
    const store = await StateStore.open({ path, stack: 'demo' });
    expect(store.exists).toBe(false);
    expect(store.get('bucket')).toBeUndefined();
    await expect(stat(path)).rejects.toThrow();
  });

  it('writes the whole file with version and stack, mode 0600, and keeps the previous one as .bak', async () => {
    const store = await StateStore.open({ path, stack: 'demo' });
    store.set('bucket', { name: 'b1' });
    await store.save();
    store.merge('bucket', { arn: 'arn:aws:s3:::b1' });
    await store.save();
    const file = JSON.parse(await readFile(path, 'utf8'));
    expect(file).toMatchObject({
      version: STATE_VERSION,
      stack: 'demo',
      resources: { bucket: { name: 'b1', arn: 'arn:aws:s3:::b1' } },
    });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const bak = JSON.parse(await readFile(`${path}.bak`, 'utf8'));
    expect(bak.resources.bucket).toEqual({ name: 'b1' });
    expect((await stat(`${path}.bak`)).mode & 0o777).toBe(0o600);
    // No temporary files left beside it.
    expect((await readdir(join(dir, '.tekamolo'))).sort()).toEqual(['state.json', 'state.json.bak']);
    const reopened = await StateStore.open({ path, stack: 'demo' });
    expect(reopened.exists).toBe(true);
    expect(reopened.get('bucket')).toEqual({ name: 'b1', arn: 'arn:aws:s3:::b1' });
  });

  it('serializes concurrent saves so that the last write holds every entry', async () => {
    const store = await StateStore.open({ path, stack: 'demo' });
    const saves: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      store.set(`r${i}`, { id: `id-${i}` });
      saves.push(store.save());
    }
    await Promise.all(saves);
    const file = JSON.parse(await readFile(path, 'utf8'));
    expect(Object.keys(file.resources)).toHaveLength(20);
  });

  it('refuses a corrupt file and leaves it as it was', async () => {
    const store = await StateStore.open({ path, stack: 'demo' });
    await store.save();
    await writeFile(path, '{"version": 1, "stack": "de');
    const error = await StateStore.open({ path, stack: 'demo' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain(`the state file ${path} is corrupt`);
    expect((error as UserError).hint).toContain('.bak');
    expect(await readFile(path, 'utf8')).toBe('{"version": 1, "stack": "de');
  });

  it('refuses an unknown version', async () => {
    const store = await StateStore.open({ path, stack: 'demo' });
    await store.save();
    await writeFile(path, JSON.stringify({ version: 99, stack: 'demo', resources: {} }));
    await expect(StateStore.open({ path, stack: 'demo' })).rejects.toThrow(
      `has version 99; this tekamolo reads version ${STATE_VERSION}`,
    );
  });

  it('refuses a state file of another stack', async () => {
    const store = await StateStore.open({ path, stack: 'demo' });
    await store.save();
    await expect(StateStore.open({ path, stack: 'other' })).rejects.toThrow('belongs to stack "demo"');
  });

  it('keeps the pinned account across a save and a reopen, and refuses a malformed one', async () => {
    const store = await StateStore.open({ path, stack: 'demo' });
    expect(store.account).toBeUndefined();
    store.pinAccount({ id: '111122223333', partition: 'aws' });
    await store.save();
    const reopened = await StateStore.open({ path, stack: 'demo' });
    expect(reopened.account).toEqual({ id: '111122223333', partition: 'aws' });
    expect(JSON.parse(await readFile(path, 'utf8')).account).toEqual({
      id: '111122223333',
      partition: 'aws',
    });

    await writeFile(path, JSON.stringify({ version: 1, stack: 'demo', account: { id: 'x' }, resources: {} }));
    await expect(StateStore.open({ path, stack: 'demo' })).rejects.toThrow(
      '"account" is not an account id and partition',
    );
  });

  it('removes the file when everything is gone, keeping the .bak', async () => {
    const store = await StateStore.open({ path, stack: 'demo' });
    store.set('a', { id: 'x' });
    await store.save();
    store.remove('a');
    await store.save();
    expect(store.empty).toBe(true);
    await store.removeFile();
    expect(store.exists).toBe(false);
    await expect(stat(path)).rejects.toThrow();
    expect(JSON.parse(await readFile(`${path}.bak`, 'utf8')).resources).toEqual({});
  });

  it('keeps replaced resources under retired until removed', async () => {
    const store = await StateStore.open({ path, stack: 'demo' });
    store.addRetired({ key: 'certificate.cdn', actual: { id: 'arn:old' } });
    await store.save();
    const reopened = await StateStore.open({ path, stack: 'demo' });
    expect(reopened.retired()).toEqual([{ key: 'certificate.cdn', actual: { id: 'arn:old' } }]);
    expect(reopened.empty).toBe(false);
    reopened.removeRetired('certificate.cdn', 'arn:old');
    expect(reopened.retired()).toEqual([]);
  });
});

describe('state lock', () => {
  it('is taken and released with the state', async () => {
    const store = await StateStore.open({ path, stack: 'demo', lock: { command: 'up' } });
    const lock = JSON.parse(await readFile(`${path}.lock`, 'utf8'));
    expect(lock).toMatchObject({ pid: process.pid, host: hostname(), command: 'up' });
    expect(Date.parse(lock.startedAt)).not.toBeNaN();
    await store.close();
    await expect(stat(`${path}.lock`)).rejects.toThrow();
  });

  it('held by a live process: exit 1 naming who holds it since when', async () => {
    const first = await StateStore.open({ path, stack: 'demo', lock: { command: 'up' } });
    const error = await StateStore.open({ path, stack: 'demo', lock: { command: 'destroy' } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkError);
    expect((error as WorkError).exitCode).toBe(ExitCode.failure);
    expect((error as WorkError).message).toMatch(
      new RegExp(
        `locked by \`tekamolo up\` \\(pid ${process.pid} on ${hostname()}\\) since \\d{4}-\\d\\d-\\d\\dT`,
      ),
    );
    await first.close();
  });

  it('left by a dead process on this host is taken over with a warning', async () => {
    // A pid that surely ran and ended: a child that exited.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const lockPath = join(dir, 'state.json.lock');
    await writeFile(
      lockPath,
      JSON.stringify({ pid: dead, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', command: 'up' }),
    );
    const warnings: string[] = [];
    const lock = await acquireLock(lockPath, 'destroy', (m) => warnings.push(m));
    expect(warnings).toEqual([
      `took over a stale lock from up (pid ${dead}, started 2026-01-01T00:00:00.000Z), which is no longer running`,
    ]);
    expect(JSON.parse(await readFile(lockPath, 'utf8'))).toMatchObject({
      pid: process.pid,
      command: 'destroy',
    });
    await lock.release();
  });

  it('of another host is never taken over', async () => {
    const lockPath = join(dir, 'state.json.lock');
    await writeFile(
      lockPath,
      JSON.stringify({
        pid: 1,
        host: 'build-server-7',
        startedAt: '2026-01-01T00:00:00.000Z',
        command: 'up',
      }),
    );
    await expect(acquireLock(lockPath, 'up')).rejects.toThrow(
      'on build-server-7) since 2026-01-01T00:00:00.000Z',
    );
  });
});

describe('a lock file that cannot be read', () => {
  const hint = (lockPath: string) =>
    `if no other tekamolo run is working on this stack, delete ${lockPath}; nothing was changed`;

  it.each([
    ['empty', '', 'empty: it does not say which run holds it'],
    ['garbage', '\u0000\u0001garbage', 'not valid JSON: it does not say which run holds it'],
    [
      'JSON without an owner',
      '{"command": "up"}',
      'missing its pid or host: it does not say which run holds it',
    ],
    ['JSON null', 'null', 'missing its pid or host: it does not say which run holds it'],
  ])('%s: a UserError naming the file, which is left as it was', async (_, text, problem) => {
    const lockPath = join(dir, 'state.json.lock');
    await writeFile(lockPath, text);
    const error = await acquireLock(lockPath, 'up').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(`the lock file ${lockPath} is ${problem}`);
    expect((error as UserError).hint).toBe(hint(lockPath));
    expect(await readFile(lockPath, 'utf8')).toBe(text);
  });

  it('garbled, naming a live process of this host: a UserError, never taken over', async () => {
    const lockPath = join(dir, 'state.json.lock');
    await writeFile(lockPath, `{"pid": ${process.pid}, "host": "${hostname()}", "startedAt": "20`);
    await expect(acquireLock(lockPath, 'up')).rejects.toThrow(
      `the lock file ${lockPath} is not valid JSON: it names pid ${process.pid} on ${hostname()}, which may still be running`,
    );
  });

  it('garbled, naming a process gone from this host: taken over with a warning', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const lockPath = join(dir, 'state.json.lock');
    await writeFile(lockPath, `{"pid": ${dead}, "host": "${hostname()}", "startedAt": "20`);
    const warnings: string[] = [];
    const lock = await acquireLock(lockPath, 'up', (m) => warnings.push(m));
    expect(warnings).toEqual([
      `took over the lock file ${lockPath} (not valid JSON): the run that held it, pid ${dead}, is no longer running`,
    ]);
    expect(JSON.parse(await readFile(lockPath, 'utf8'))).toMatchObject({ pid: process.pid, command: 'up' });
    await lock.release();
  });

  it('a folder at the lock path: a UserError naming it', async () => {
    await mkdir(`${path}.lock`, { recursive: true });
    await expect(StateStore.open({ path, stack: 'demo', lock: { command: 'up' } })).rejects.toThrow(
      `the lock file ${path}.lock is a folder, expected a file`,
    );
  });
});

describe('a state path that cannot be used', () => {
  it('state.path naming a folder: a UserError, with or without the lock', async () => {
    await mkdir(path, { recursive: true });
    for (const lock of [undefined, { command: 'up' }]) {
      const error = await StateStore.open({ path, stack: 'demo', ...(lock && { lock }) }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toBe(`the state file ${path} is a folder, expected a file`);
    }
    // The lock taken for the second open was released.
    await expect(stat(`${path}.lock`)).rejects.toThrow();
  });

  it('a file where the state folder should be: a UserError naming that file, with or without the lock', async () => {
    const folder = join(dir, '.tekamolo');
    await writeFile(folder, '');
    for (const lock of [undefined, { command: 'up' }]) {
      await expect(StateStore.open({ path, stack: 'demo', ...(lock && { lock }) })).rejects.toThrow(
        `the state file ${path} cannot be kept there: ${folder} is a file, where a folder is needed`,
      );
    }
  });

  it('a save that fails says which file and why, with no bare error code', async () => {
    const store = await StateStore.open({ path, stack: 'demo' });
    // The folder is replaced by a file after the state was opened.
    await writeFile(join(dir, '.tekamolo'), '');
    const error = await store.save().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkError);
    expect((error as WorkError).message).toBe(
      `could not save the state file ${path}: ${join(dir, '.tekamolo')} is a file, where a folder is needed`,
    );
  });
});

describe('state lock on a hard exit', () => {
  it('is released synchronously, and only when it is ours', async () => {
    const store = await StateStore.open({ path, stack: 'demo', lock: { command: 'up' } });
    store.releaseLockSync();
    await expect(stat(`${path}.lock`)).rejects.toThrow();
    const lock = await acquireLock(`${path}.lock`, 'destroy');
    // The first holder's late release must not remove the second holder's lock.
    await store.close();
    expect(JSON.parse(await readFile(`${path}.lock`, 'utf8'))).toMatchObject({ command: 'destroy' });
    await lock.release();
  });
});
