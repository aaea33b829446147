import { access, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { apply } from '../../../src/engine/apply.js';
import { destroy, destroyPlanLine, discoverForDestroy } from '../../../src/engine/destroy.js';
import type { StateFile } from '../../../src/state/types.js';
import { eventsOf, FakeCloud, fakeEnv, fakeResource } from '../../support/fake-resources.js';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

function chain(cloud: FakeCloud) {
  return [
    fakeResource(cloud, { key: 'zone', readOnly: true }),
    fakeResource(cloud, { key: 'a' }),
    fakeResource(cloud, { key: 'b', dependsOn: ['a', 'zone'] }),
    fakeResource(cloud, { key: 'c', dependsOn: ['b'] }),
    fakeResource(cloud, { key: 'd' }),
  ];
}

describe('destroy', () => {
  it('deletes in reverse dependency order, never a read-only resource, then removes the state file', async () => {
    const cloud = new FakeCloud();
    cloud.seed({ name: 'zone', spec: {} });
    const env = await fakeEnv(chain(cloud));
    expect((await apply(env)).ok).toBe(true);

    const down = await fakeEnv(chain(cloud), { dir: env.dir });
    const found = await discoverForDestroy(down);
    expect(found.resources.map((t) => [t.key, t.action])).toEqual([
      ['zone', 'keep'],
      ['a', 'delete'],
      ['b', 'delete'],
      ['c', 'delete'],
      ['d', 'delete'],
    ]);
    expect(destroyPlanLine(found)).toBe('4 to delete, 1 kept');
    const result = await destroy(down, found);
    expect(result.ok).toBe(true);
    const deletes = cloud.callsOf('delete').map((c) => c.key);
    expect(deletes.indexOf('c')).toBeLessThan(deletes.indexOf('b'));
    expect(deletes.indexOf('b')).toBeLessThan(deletes.indexOf('a'));
    expect(deletes).not.toContain('zone');
    expect(cloud.byName('zone')).toHaveLength(1);
    expect([...cloud.items.values()].map((i) => i.name)).toEqual(['zone']);
    expect(await exists(down.store.path)).toBe(false);
    expect(await exists(`${down.store.path}.bak`)).toBe(true);
    expect(result.counts).toEqual({ delete: 4 });
  });

  it('finds what a lost state file forgot, by name', async () => {
    const cloud = new FakeCloud();
    cloud.seed({ name: 'a', spec: {} });
    const env = await fakeEnv([fakeResource(cloud, { key: 'a' })]);
    const found = await discoverForDestroy(env);
    expect(found.summary.delete).toBe(1);
    await destroy(env, found);
    expect(cloud.items.size).toBe(0);
  });

  it('never deletes what is not this stack’s', async () => {
    const cloud = new FakeCloud();
    cloud.seed({ name: 'record', spec: {}, foreign: 'points to d111' });
    const env = await fakeEnv([fakeResource(cloud, { key: 'record' })]);
    const found = await discoverForDestroy(env);
    expect(found.resources[0]).toMatchObject({ action: 'keep', reason: "not this stack's: points to d111" });
    const result = await destroy(env, found);
    expect(result.ok).toBe(true);
    expect(cloud.callsOf('delete')).toEqual([]);
    expect(cloud.items.size).toBe(1);
  });

  it('makes no changing call when nothing is left', async () => {
    const cloud = new FakeCloud();
    const env = await fakeEnv(chain(cloud));
    const found = await discoverForDestroy(env);
    expect(found.summary.delete).toBe(0);
    const result = await destroy(env, found);
    expect(result.ok).toBe(true);
    expect(cloud.calls.filter((c) => c.op !== 'find')).toEqual([]);
    expect(result.counts).toEqual({});
  });

  it('keeps the bucket with --keep-bucket, and the state entry that says so', async () => {
    const cloud = new FakeCloud();
    const resources = [
      fakeResource(cloud, { key: 'bucket' }),
      fakeResource(cloud, { key: 'policy', dependsOn: ['bucket'] }),
    ];
    const env = await fakeEnv(resources);
    await apply(env);
    const down = await fakeEnv(resources, { dir: env.dir, options: { keepBucket: true } });
    const result = await destroy(down, await discoverForDestroy(down));
    expect(result.ok).toBe(true);
    expect(cloud.byName('bucket')).toHaveLength(1);
    expect(cloud.byName('policy')).toHaveLength(0);
    const file = JSON.parse(await readFile(down.store.path, 'utf8')) as StateFile;
    expect(Object.keys(file.resources)).toEqual(['bucket']);
  });

  it('with --no-wait reports a pending deletion and leaves what it uses for the next destroy', async () => {
    const cloud = new FakeCloud();
    const resources = [
      fakeResource(cloud, { key: 'oac' }),
      fakeResource(cloud, { key: 'distribution', dependsOn: ['oac'], pendingDelete: true }),
    ];
    const env = await fakeEnv(resources);
    await apply(env);
    const down = await fakeEnv(resources, { dir: env.dir, options: { wait: false } });
    const result = await destroy(down, await discoverForDestroy(down));
    expect(result.pending).toEqual(['distribution']);
    expect(result.states.get('oac')).toBe('skipped');
    expect(cloud.byName('oac')).toHaveLength(1);
    const file = JSON.parse(await readFile(down.store.path, 'utf8')) as StateFile;
    expect(file.resources.distribution).toMatchObject({ deleting: true });
    expect(
      down.events.some(
        (e) => e.code === 'resource-skipped' && e.reason === 'distribution is still being deleted',
      ),
    ).toBe(true);
  });

  it('skips what a failed delete still uses, and keeps the state file', async () => {
    const cloud = new FakeCloud();
    const ok = [fakeResource(cloud, { key: 'sg' }), fakeResource(cloud, { key: 'alb', dependsOn: ['sg'] })];
    const env = await fakeEnv(ok);
    await apply(env);
    const failing = [
      fakeResource(cloud, { key: 'sg' }),
      fakeResource(cloud, {
        key: 'alb',
        dependsOn: ['sg'],
        fail: { delete: Object.assign(new Error('in use'), { name: 'ResourceInUse' }) },
      }),
    ];
    const down = await fakeEnv(failing, { dir: env.dir });
    const result = await destroy(down, await discoverForDestroy(down));
    expect(result.ok).toBe(false);
    expect(result.failures[0]!.failure.message).toBe('deleting fake alb: in use (ResourceInUse)');
    const failed = down.events.filter((e) => e.code === 'resource-failed');
    expect(failed).toEqual([
      {
        code: 'resource-failed',
        level: 'error',
        key: 'alb',
        error: 'deleting fake alb: in use (ResourceInUse)',
        durationMs: expect.any(Number),
        time: expect.any(String),
      },
    ]);
    expect(result.states.get('sg')).toBe('skipped');
    expect(await exists(down.store.path)).toBe(true);
  });

  it('stops at Ctrl-C with the state of what was deleted so far', async () => {
    const cloud = new FakeCloud();
    const resources = [
      fakeResource(cloud, { key: 'a' }),
      fakeResource(cloud, { key: 'b', dependsOn: ['a'] }),
    ];
    const env = await fakeEnv(resources);
    await apply(env);
    const down = await fakeEnv(resources, { dir: env.dir });
    const found = await discoverForDestroy(down);
    down.controller.abort();
    const result = await destroy(down, found);
    expect(result.interrupted).toBe(true);
    expect(cloud.items.size).toBe(2);
    expect(await exists(down.store.path)).toBe(true);
  });
});

describe('destroy of a half-deleted resource', () => {
  it('goes on when outputs cannot be read from what was found', async () => {
    const cloud = new FakeCloud();
    cloud.seed({ name: 'a', spec: {} });
    const broken = fakeResource(cloud, { key: 'a' });
    broken.outputs = () => {
      throw new TypeError("Cannot read properties of undefined (reading 'DomainName')");
    };
    const env = await fakeEnv([broken, fakeResource(cloud, { key: 'b', dependsOn: ['a'] })]);
    const found = await discoverForDestroy(env);
    expect(found.resources.map((t) => [t.key, t.action])).toEqual([
      ['a', 'delete'],
      ['b', 'absent'],
    ]);
    expect((await destroy(env, found)).ok).toBe(true);
    expect(cloud.items.size).toBe(0);
  });
});

describe('destroy: replaced resources left under retired by an interrupted up', () => {
  it('deletes them last and forgets them; a failed deletion is named with its hint', async () => {
    const cloud = new FakeCloud();
    const env = await fakeEnv([fakeResource(cloud, { key: 'a' })]);
    expect((await apply(env)).ok).toBe(true);
    const old = cloud.seed({ name: 'a-old', spec: {} });
    const stuck = cloud.seed({ name: 'a-stuck', spec: {} });
    env.store.addRetired({ key: 'a', actual: { id: old.id, spec: {} } });
    await env.store.save();

    const result = await destroy(env, await discoverForDestroy(env));
    expect(result.ok).toBe(true);
    expect(result.counts).toMatchObject({ delete: 2 });
    expect(cloud.items.has(old.id)).toBe(false);
    expect(env.store.retired()).toEqual([]);

    const failing = await fakeEnv(
      [
        fakeResource(cloud, {
          key: 'a',
          fail: { delete: Object.assign(new Error('in use'), { hint: 'wait' }) },
        }),
      ],
      { dir: env.dir },
    );
    failing.store.addRetired({ key: 'a', actual: { id: stuck.id, spec: {} } });
    await failing.store.save();
    const failed = await destroy(failing, await discoverForDestroy(failing));
    expect(failed.ok).toBe(false);
    expect(failed.failures.map((f) => [f.key, f.failure.message])).toEqual([
      ['a', 'deleting the replaced fake a: in use'],
    ]);
    expect(eventsOf(failing.events, 'resource-failed')).toEqual([
      expect.objectContaining({ key: 'a', hint: 'wait' }),
    ]);
    expect(cloud.items.has(stuck.id)).toBe(true);
  });
});
