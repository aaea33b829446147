import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { apply } from '../../../src/engine/apply.js';
import { GraphError } from '../../../src/engine/graph.js';
import { STATE_VERSION, type StateFile } from '../../../src/state/types.js';
import { eventsOf, FakeCloud, fakeEnv, fakeResource } from '../../support/fake-resources.js';

async function stateOnDisk(path: string): Promise<StateFile> {
  return JSON.parse(await readFile(path, 'utf8')) as StateFile;
}

describe('apply', () => {
  it('runs independent resources at the same time', async () => {
    const cloud = new FakeCloud();
    const env = await fakeEnv([
      fakeResource(cloud, { key: 'a', delayMs: 40 }),
      fakeResource(cloud, { key: 'b', delayMs: 40 }),
    ]);
    const result = await apply(env);
    expect(result.ok).toBe(true);
    const [a] = cloud.callsOf('create', 'a');
    const [b] = cloud.callsOf('create', 'b');
    // Overlap: each started before the other ended, in the calls and in the events.
    expect(a!.at).toBeLessThan(b!.end!);
    expect(b!.at).toBeLessThan(a!.end!);
    const time = (code: 'resource-started' | 'resource-done', key: string) =>
      Date.parse(env.events.find((e) => e.code === code && 'key' in e && e.key === key)!.time);
    expect(time('resource-started', 'a')).toBeLessThan(time('resource-done', 'b'));
    expect(time('resource-started', 'b')).toBeLessThan(time('resource-done', 'a'));
  });

  it('starts a resource only after its dependencies, and hands it their outputs', async () => {
    const cloud = new FakeCloud();
    const env = await fakeEnv([
      fakeResource(cloud, { key: 'b', dependsOn: ['a'] }),
      fakeResource(cloud, { key: 'a', delayMs: 20 }),
    ]);
    await apply(env);
    const [a] = cloud.callsOf('create', 'a');
    const [b] = cloud.callsOf('create', 'b');
    expect(b!.at).toBeGreaterThanOrEqual(a!.end!);
    const aId = cloud.byName('a')[0]!.id;
    expect(cloud.byName('b')[0]!.spec).toEqual({ aId });
  });

  it('names a dependency cycle', async () => {
    const cloud = new FakeCloud();
    const env = await fakeEnv([
      fakeResource(cloud, { key: 'a', dependsOn: ['c'] }),
      fakeResource(cloud, { key: 'b', dependsOn: ['a'] }),
      fakeResource(cloud, { key: 'c', dependsOn: ['b'] }),
    ]);
    await expect(apply(env)).rejects.toThrow(GraphError);
    await expect(apply(env)).rejects.toThrow('dependency cycle: a → c → b → a');
  });

  it('drops a disabled dependency: the consumer reads undefined outputs', async () => {
    const cloud = new FakeCloud();
    const env = await fakeEnv([
      fakeResource(cloud, { key: 'a', enabled: false }),
      fakeResource(cloud, { key: 'b', dependsOn: ['a'], spec: { size: 1 } }),
    ]);
    const result = await apply(env);
    expect(result.ok).toBe(true);
    expect(cloud.byName('a')).toEqual([]);
    expect(cloud.byName('b')[0]!.spec).toEqual({ size: 1 });
  });

  it('skips only the dependents of a failed resource; independent branches finish', async () => {
    const cloud = new FakeCloud();
    const env = await fakeEnv([
      fakeResource(cloud, {
        key: 'a',
        fail: { create: Object.assign(new Error('quota hit'), { name: 'LimitExceeded' }) },
      }),
      fakeResource(cloud, { key: 'b', dependsOn: ['a'] }),
      fakeResource(cloud, { key: 'c', dependsOn: ['b'] }),
      fakeResource(cloud, { key: 'd', delayMs: 10 }),
    ]);
    const result = await apply(env);
    expect(result.ok).toBe(false);
    expect(result.states.get('a')).toBe('failed');
    expect(result.states.get('b')).toBe('skipped');
    expect(result.states.get('c')).toBe('skipped');
    expect(result.states.get('d')).toBe('done');
    const [failed] = eventsOf(env.events, 'resource-failed');
    expect(failed!.key).toBe('a');
    expect(failed!.error).toBe('creating fake a: quota hit (LimitExceeded)');
    expect(eventsOf(env.events, 'resource-skipped').map((e) => [e.key, e.reason])).toEqual([
      ['b', 'a failed'],
      ['c', 'b was skipped'],
    ]);
    expect(result.counts).toEqual({ create: 1, failed: 1, skipped: 2 });
  });

  it('has the id on disk the moment create records it, and the outputs after the step', async () => {
    const cloud = new FakeCloud();
    const seen: unknown[] = [];
    const env = await fakeEnv([]);
    env.resources.push(
      fakeResource(cloud, {
        key: 'a',
        spec: { size: 3 },
        onCreate: () => {
          // Synchronous read inside create: the record must already be on disk.
          seen.push(JSON.parse(readFileSync(env.store.path, 'utf8')).resources.a);
        },
      }),
    );
    await apply(env);
    const id = cloud.byName('a')[0]!.id;
    expect(seen).toEqual([{ id }]);
    const file = await stateOnDisk(env.store.path);
    expect(file.version).toBe(STATE_VERSION);
    expect(file.stack).toBe(env.config.stack);
    expect(file.resources.a).toEqual({ id, size: 3 });
    expect((await stat(env.store.path)).mode & 0o777).toBe(0o600);
  });

  it('stops at Ctrl-C: steps in flight finish, nothing new starts, the state is valid', async () => {
    const cloud = new FakeCloud();
    const env = await fakeEnv([]);
    env.resources.push(
      fakeResource(cloud, { key: 'a', onCreate: () => env.controller.abort() }),
      fakeResource(cloud, { key: 'b', dependsOn: ['a'] }),
    );
    const result = await apply(env);
    expect(result.interrupted).toBe(true);
    expect(result.ok).toBe(false);
    expect(cloud.callsOf('create', 'b')).toEqual([]);
    const file = await stateOnDisk(env.store.path);
    const aId = cloud.byName('a')[0]!.id;
    expect(file.resources.a).toMatchObject({ id: aId });

    // The next up resumes: a is found by its saved id, b is created.
    const again = await fakeEnv(env.resources, { dir: env.dir });
    const resumed = await apply(again);
    expect(resumed.ok).toBe(true);
    expect(cloud.callsOf('create', 'a')).toHaveLength(1);
    expect(cloud.callsOf('create', 'b')).toHaveLength(1);
  });

  it('resumes after a crash halfway through a create without creating twice', async () => {
    const cloud = new FakeCloud();
    const crashing = await fakeEnv([
      fakeResource(cloud, { key: 'a', failAfterRecord: new Error('connection reset') }),
    ]);
    const first = await apply(crashing);
    expect(first.ok).toBe(false);
    expect((await stateOnDisk(crashing.store.path)).resources.a).toEqual({ id: 'a-1' });

    const env = await fakeEnv([fakeResource(cloud, { key: 'a' })], { dir: crashing.dir });
    const second = await apply(env);
    expect(second.ok).toBe(true);
    expect(cloud.callsOf('create', 'a')).toHaveLength(1);
    expect([...cloud.items.keys()]).toEqual(['a-1']);
    expect(second.actions.get('a')).toBe('noop');
  });

  it('replaces by creating the new one, moving consumers, then deleting the old one', async () => {
    const cloud = new FakeCloud();
    const old = cloud.seed({ name: 'a', spec: { port: 80 } });
    const consumer = cloud.seed({ name: 'b', spec: { aId: old.id } });
    const env = await fakeEnv([
      fakeResource(cloud, { key: 'a', spec: { port: 8080 }, replaceFields: ['port'] }),
      fakeResource(cloud, { key: 'b', dependsOn: ['a'] }),
    ]);
    env.store.set('a', { id: old.id });
    env.store.set('b', { id: consumer.id });
    const result = await apply(env);
    expect(result.ok).toBe(true);
    const order = cloud.calls
      .filter((c) => c.op !== 'find')
      .map((c) => `${c.op} ${c.key}${c.id ? ` ${c.id}` : ''}`);
    const created = cloud.byName('a')[0]!.id;
    expect(order).toEqual(['create a', `update b ${consumer.id}`, `delete a ${old.id}`]);
    expect(cloud.items.get(consumer.id)!.spec).toEqual({ aId: created });
    const file = await stateOnDisk(env.store.path);
    expect(file.retired).toEqual([]);
    expect(file.resources.a).toMatchObject({ id: created, port: 8080 });
    expect(result.counts).toMatchObject({ replace: 1, update: 1, delete: 1 });
  });

  it('keeps a replaced resource under retired until its consumers moved (a crash in between leaks nothing)', async () => {
    const cloud = new FakeCloud();
    const old = cloud.seed({ name: 'a', spec: { port: 80 } });
    const env = await fakeEnv([
      fakeResource(cloud, { key: 'a', spec: { port: 8080 }, replaceFields: ['port'] }),
      fakeResource(cloud, { key: 'b', dependsOn: ['a'], fail: { create: new Error('boom') } }),
    ]);
    env.store.set('a', { id: old.id });
    const result = await apply(env);
    expect(result.ok).toBe(false);
    expect(cloud.items.has(old.id)).toBe(true);
    const file = await stateOnDisk(env.store.path);
    expect(file.retired).toEqual([{ key: 'a', actual: { id: old.id, spec: { port: 80 } } }]);

    const fixed = await fakeEnv(
      [
        fakeResource(cloud, { key: 'a', spec: { port: 8080 }, replaceFields: ['port'] }),
        fakeResource(cloud, { key: 'b', dependsOn: ['a'] }),
      ],
      { dir: env.dir },
    );
    expect((await apply(fixed)).ok).toBe(true);
    expect(cloud.items.has(old.id)).toBe(false);
    expect((await stateOnDisk(env.store.path)).retired).toEqual([]);
  });

  it('refuses a takeover without --yes; the node fails and its dependents are skipped', async () => {
    const cloud = new FakeCloud();
    cloud.seed({ name: 'a', spec: { target: 'elsewhere' }, foreign: 'points to d111.cloudfront.net' });
    const env = await fakeEnv([
      fakeResource(cloud, { key: 'a', spec: { target: 'ours' } }),
      fakeResource(cloud, { key: 'b', dependsOn: ['a'] }),
    ]);
    const result = await apply(env);
    expect(result.ok).toBe(false);
    expect(env.questions).toHaveLength(1);
    expect(env.questions[0]).toContain('points to d111.cloudfront.net');
    expect(cloud.callsOf('update')).toEqual([]);
    expect(result.states.get('b')).toBe('skipped');
    expect(result.failures[0]!.failure.message).toContain('not taken over');
    expect(result.failures[0]!.failure.userError).toBe(true);
    expect(result.failures[0]!.failure.hint).toContain('--yes');
  });

  it('asks once when the user takes over on a terminal: the handler does not ask again', async () => {
    const cloud = new FakeCloud();
    const theirs = cloud.seed({ name: 'a', spec: { target: 'elsewhere' }, foreign: 'points elsewhere' });
    const env = await fakeEnv([fakeResource(cloud, { key: 'a', spec: { target: 'ours' } })], {
      answer: true,
    });
    const result = await apply(env);
    expect(result.ok).toBe(true);
    expect(env.questions).toHaveLength(1);
    expect(cloud.items.get(theirs.id)!.spec).toEqual({ target: 'ours' });
  });

  it('takes over with --yes without asking', async () => {
    const cloud = new FakeCloud();
    const theirs = cloud.seed({ name: 'a', spec: { target: 'elsewhere' }, foreign: 'points elsewhere' });
    const env = await fakeEnv([fakeResource(cloud, { key: 'a', spec: { target: 'ours' } })], {
      options: { yes: true },
    });
    const result = await apply(env);
    expect(result.ok).toBe(true);
    expect(env.questions).toEqual([]);
    expect(result.actions.get('a')).toBe('takeover');
    expect(cloud.items.get(theirs.id)!.spec).toEqual({ target: 'ours' });
  });

  it('lets dependents start while a wait goes on, unless readyBeforeDependents', async () => {
    const cloud = new FakeCloud();
    const env = await fakeEnv([
      fakeResource(cloud, { key: 'slow', waitMs: 60 }),
      fakeResource(cloud, { key: 'early', dependsOn: ['slow'] }),
      fakeResource(cloud, { key: 'cert', waitMs: 30, readyBeforeDependents: true }),
      fakeResource(cloud, { key: 'late', dependsOn: ['cert'] }),
    ]);
    expect((await apply(env)).ok).toBe(true);
    const [slowWait] = cloud.callsOf('wait', 'slow');
    const [early] = cloud.callsOf('create', 'early');
    expect(early!.at).toBeLessThan(slowWait!.end!);
    const [certWait] = cloud.callsOf('wait', 'cert');
    const [late] = cloud.callsOf('create', 'late');
    expect(late!.at).toBeGreaterThanOrEqual(certWait!.end!);
  });

  it('skips an optional wait with --no-wait, never a required one', async () => {
    const cloud = new FakeCloud();
    const env = await fakeEnv(
      [
        fakeResource(cloud, { key: 'cdn', waitMs: 1, optionalWait: true }),
        fakeResource(cloud, { key: 'alb', waitMs: 1 }),
      ],
      { options: { wait: false } },
    );
    const result = await apply(env);
    expect(result.pending).toEqual(['cdn']);
    expect(cloud.callsOf('wait', 'cdn')).toEqual([]);
    expect(cloud.callsOf('wait', 'alb')).toHaveLength(1);
  });

  it('makes no changing step on a second run and reports every resource in sync', async () => {
    const cloud = new FakeCloud();
    const resources = [
      fakeResource(cloud, { key: 'a', spec: { v: 1 } }),
      fakeResource(cloud, { key: 'b', dependsOn: ['a'] }),
    ];
    const env = await fakeEnv(resources);
    await apply(env);
    const before = cloud.calls.filter((c) => c.op !== 'find').length;
    const second = await apply(await fakeEnv(resources, { dir: env.dir }));
    expect(cloud.calls.filter((c) => c.op !== 'find').length).toBe(before);
    expect(second.counts).toEqual({ noop: 2 });
  });

  it('deletes what an older config created and this one no longer enables', async () => {
    const cloud = new FakeCloud();
    const fn = cloud.seed({ name: 'fn', spec: {} });
    const env = await fakeEnv([
      fakeResource(cloud, { key: 'fn', enabled: false }),
      fakeResource(cloud, { key: 'a' }),
    ]);
    env.store.set('fn', { id: fn.id });
    const result = await apply(env);
    expect(result.ok).toBe(true);
    expect(cloud.items.has(fn.id)).toBe(false);
    expect((await stateOnDisk(env.store.path)).resources.fn).toBeUndefined();
  });

  it('ends with a run-finished event that counts AWS calls', async () => {
    const cloud = new FakeCloud();
    const env = await fakeEnv([fakeResource(cloud, { key: 'a' })]);
    await apply(env);
    const [finished] = eventsOf(env.events, 'run-finished');
    expect(finished).toMatchObject({
      command: 'up',
      ok: true,
      counts: { create: 1 },
      awsCalls: { total: 0, changing: 0 },
    });
  });
});

describe('apply with a missing read-only resource', () => {
  it('changes nothing: every resource that could change waits for the lookups', async () => {
    const cloud = new FakeCloud();
    const env = await fakeEnv([
      fakeResource(cloud, { key: 'bucket', delayMs: 5 }),
      fakeResource(cloud, { key: 'zone', readOnly: true, delayMs: 20 }),
      fakeResource(cloud, { key: 'record', dependsOn: ['zone'] }),
    ]);
    const result = await apply(env);
    expect(result.ok).toBe(false);
    expect(cloud.callsOf('create').map((c) => c.key)).toEqual(['zone']);
    expect(cloud.items.size).toBe(0);
    expect(result.failures).toEqual([
      {
        key: 'zone',
        failure: { message: 'looking up fake zone: zone does not exist: create it first', userError: false },
      },
    ]);
    expect(result.states.get('bucket')).toBe('skipped');
  });
});
