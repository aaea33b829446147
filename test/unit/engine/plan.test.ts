import { describe, expect, it } from 'vitest';
import { UNKNOWN } from '../../../src/engine/contract.js';
import { observe } from '../../../src/engine/observe.js';
import { onlyBadInput, plan, planChanges, summaryLine } from '../../../src/engine/plan.js';
import { UserError } from '../../../src/errors.js';
import { FakeCloud, fakeEnv, fakeResource } from '../../support/fake-resources.js';

describe('observe and plan', () => {
  it('is plain data: create, update field by field, replace with why, takeover, noop', async () => {
    const cloud = new FakeCloud();
    const same = cloud.seed({ name: 'same', spec: { v: 1 } });
    const drift = cloud.seed({ name: 'drift', spec: { size: 1 } });
    const port = cloud.seed({ name: 'port', spec: { port: 80 } });
    const record = cloud.seed({ name: 'record', spec: { target: 'd111' }, foreign: 'points to d111' });
    const env = await fakeEnv([
      fakeResource(cloud, { key: 'same', spec: { v: 1 } }),
      fakeResource(cloud, { key: 'drift', spec: { size: 2 } }),
      fakeResource(cloud, { key: 'port', spec: { port: 8080 }, replaceFields: ['port'] }),
      fakeResource(cloud, { key: 'record', spec: { target: 'ours' } }),
      fakeResource(cloud, { key: 'fresh', spec: { v: 1 } }),
    ]);
    const result = await plan(env);
    expect(result).toEqual({
      stack: 'demo',
      resources: [
        { key: 'same', title: 'fake same', action: 'noop', id: same.id, changes: [] },
        {
          key: 'drift',
          title: 'fake drift',
          action: 'update',
          id: drift.id,
          changes: [{ field: 'size', from: 1, to: 2, action: 'update' }],
        },
        {
          key: 'port',
          title: 'fake port',
          action: 'replace',
          id: port.id,
          changes: [
            { field: 'port', from: 80, to: 8080, action: 'replace', reason: 'port cannot change in place' },
          ],
        },
        {
          key: 'record',
          title: 'fake record',
          action: 'takeover',
          id: record.id,
          reason: 'points to d111',
          changes: [{ field: 'target', from: 'd111', to: 'ours', action: 'update' }],
        },
        { key: 'fresh', title: 'fake fresh', action: 'create', changes: [] },
      ],
      leftovers: [],
      summary: { create: 1, update: 1, replace: 1, takeover: 1, noop: 1, leftover: 0, errors: 0 },
    });
    expect(summaryLine(result.summary)).toBe('1 to create, 1 to update, 1 to replace, 1 to take over');
    expect(planChanges(result)).toBe(true);
    expect(cloud.calls.filter((c) => c.op !== 'find')).toEqual([]);
  });

  it('carries what a resource keeps beyond the model into its entry, in sync or changed', async () => {
    const cloud = new FakeCloud();
    const kept = ['cache behaviour /images/* → origin images'];
    const keeper = (key: string, size: number) => {
      const fake = fakeResource(cloud, { key, spec: { size: 2 } });
      cloud.seed({ name: key, spec: { size } });
      return {
        ...fake,
        find: async (ctx: Parameters<typeof fake.find>[0]) => ({ ...(await fake.find(ctx))!, kept }),
      };
    };
    const env = await fakeEnv([
      keeper('same', 2),
      keeper('drift', 1),
      fakeResource(cloud, { key: 'plain', spec: {} }),
    ]);
    cloud.seed({ name: 'plain', spec: {} });
    const entries = (await plan(env)).resources;
    expect(entries.map((e) => [e.key, e.action, e.kept])).toEqual([
      ['same', 'noop', kept],
      ['drift', 'update', kept],
      ['plain', 'noop', undefined],
    ]);
  });

  it('looks up the dependents of a resource that will be created: with no state file, what exists is found', async () => {
    const cloud = new FakeCloud();
    const b = cloud.seed({ name: 'b', spec: {} });
    const env = await fakeEnv([
      fakeResource(cloud, { key: 'a' }),
      fakeResource(cloud, { key: 'b', dependsOn: ['a'] }),
      fakeResource(cloud, { key: 'c', dependsOn: ['a'] }),
    ]);
    const observations = await observe(env);
    expect(observations.map((o) => [o.key, o.action, o.actual?.id, o.reason, o.blockedBy])).toEqual([
      ['a', 'create', undefined, undefined, undefined],
      ['b', 'noop', b.id, undefined, undefined],
      ['c', 'create', undefined, 'a will be created', 'a'],
    ]);
    expect(summaryLine((await plan(env)).summary)).toBe(
      '2 to create, 0 to update, 0 to replace, 0 to take over',
    );
  });

  it('hands UNKNOWN outputs of a resource being replaced to its dependents', async () => {
    const cloud = new FakeCloud();
    const old = cloud.seed({ name: 'a', spec: { port: 80 } });
    cloud.seed({ name: 'b', spec: { aId: old.id } });
    const env = await fakeEnv([
      fakeResource(cloud, { key: 'a', spec: { port: 8080 }, replaceFields: ['port'] }),
      fakeResource(cloud, { key: 'b', dependsOn: ['a'] }),
    ]);
    const [, b] = await observe(env);
    expect(b!.action).toBe('update');
    expect(b!.changes).toEqual([{ field: 'aId', from: old.id, to: UNKNOWN, action: 'update' }]);
  });

  it("reports a missing read-only resource with the handler's message, and does not check its dependents", async () => {
    const cloud = new FakeCloud();
    const env = await fakeEnv([
      fakeResource(cloud, { key: 'zone', readOnly: true }),
      fakeResource(cloud, { key: 'record', dependsOn: ['zone'] }),
    ]);
    const [zone, record] = await observe(env);
    expect(zone!.error).toBe('looking up fake zone: zone does not exist: create it first');
    expect(record!.error).toBe('not checked: zone could not be read');
    const result = await plan(env);
    expect(result.summary.errors).toBe(2);
    expect(summaryLine(result.summary)).toContain('2 could not be checked');
    // A plain Error from AWS is a failure while working, not bad input.
    expect(onlyBadInput(result)).toBe(false);
  });

  it('keeps the hint of a UserError from find', async () => {
    const cloud = new FakeCloud();
    const env = await fakeEnv([
      fakeResource(cloud, {
        key: 'bucket',
        fail: { find: new UserError('bucket name taken', 'set frontend.bucket') },
      }),
    ]);
    const [bucket] = await observe(env);
    expect(bucket).toMatchObject({
      error: 'reading fake bucket: bucket name taken',
      hint: 'set frontend.bucket',
    });
  });

  it('exits as bad input when a missing lookup is a UserError, and its dependents follow', async () => {
    const cloud = new FakeCloud();
    const env = await fakeEnv([
      fakeResource(cloud, {
        key: 'zone',
        readOnly: true,
        fail: { find: new UserError('no hosted zone for example.com') },
      }),
      fakeResource(cloud, { key: 'record', dependsOn: ['zone'] }),
      fakeResource(cloud, { key: 'bucket' }),
    ]);
    const result = await plan(env);
    expect(result.resources.map((r) => [r.key, r.badInput])).toEqual([
      ['zone', true],
      ['record', true],
      ['bucket', undefined],
    ]);
    expect(onlyBadInput(result)).toBe(true);
  });

  it('never writes the state file, even when a handler records', async () => {
    const cloud = new FakeCloud();
    const env = await fakeEnv([fakeResource(cloud, { key: 'a' })]);
    const result = await plan(env);
    expect(result.summary.create).toBe(1);
    expect(env.store.exists).toBe(false);
    expect(planChanges({ ...result, summary: { ...result.summary, create: 0 } })).toBe(false);
  });

  it('calls onObserved with the context, for status', async () => {
    const cloud = new FakeCloud();
    cloud.seed({ name: 'a', spec: {} });
    const env = await fakeEnv([fakeResource(cloud, { key: 'a' })]);
    const seen: string[] = [];
    await observe(env, {
      onObserved: (o, ctx) => {
        seen.push(`${o.key}:${o.action}:${ctx?.options.readOnly}`);
      },
    });
    expect(seen).toEqual(['a:noop:true']);
  });

  it('marks what status needs as fields: a missing read-only resource, and why dependents were not looked up', async () => {
    const cloud = new FakeCloud();
    const env = await fakeEnv([
      fakeResource(cloud, { key: 'zone', readOnly: true }),
      fakeResource(cloud, { key: 'record', dependsOn: ['zone'] }),
      fakeResource(cloud, { key: 'bucket' }),
      fakeResource(cloud, { key: 'policy', dependsOn: ['bucket'] }),
    ]);
    const observations = await observe(env);
    expect(observations.map((o) => [o.key, o.missing, o.blockedBy, o.skipped])).toEqual([
      ['zone', 'zone does not exist: create it first', undefined, undefined],
      ['record', undefined, 'zone', undefined],
      ['bucket', undefined, undefined, undefined],
      ['policy', undefined, 'bucket', undefined],
    ]);
    // plan's output stays what it was: none of these fields is part of it.
    const result = await plan(env);
    expect(result.resources).toEqual([
      {
        key: 'zone',
        title: 'fake zone',
        action: 'noop',
        changes: [],
        error: 'looking up fake zone: zone does not exist: create it first',
      },
      {
        key: 'record',
        title: 'fake record',
        action: 'noop',
        changes: [],
        error: 'not checked: zone could not be read',
      },
      { key: 'bucket', title: 'fake bucket', action: 'create', changes: [] },
      {
        key: 'policy',
        title: 'fake policy',
        action: 'create',
        changes: [],
        reason: 'bucket will be created',
      },
    ]);
  });

  it('marks the resources a stopped walk never reached as skipped', async () => {
    const cloud = new FakeCloud();
    cloud.seed({ name: 'a', spec: {} });
    const controller = new AbortController();
    const env = await fakeEnv([
      fakeResource(cloud, { key: 'a' }),
      fakeResource(cloud, { key: 'b', dependsOn: ['a'] }),
    ]);
    const observations = await observe(
      { ...env, signal: controller.signal },
      { onObserved: () => controller.abort() },
    );
    expect(observations.map((o) => [o.key, o.skipped, o.error])).toEqual([
      ['a', undefined, undefined],
      ['b', true, 'not checked: interrupted'],
    ]);
  });
});

describe('outputs an update changes', () => {
  it('reach dependents as unknown in plan, so what follows from them (a refresh) shows before up', async () => {
    const cloud = new FakeCloud();
    const template = cloud.seed({ name: 'template', spec: { userData: 'v1' } });
    cloud.seed({ name: 'group', spec: { templateId: template.id } });
    const changing = fakeResource(cloud, { key: 'template', spec: { userData: 'v2' } });
    changing.outputsChangedBy = (changes) => (changes.some((c) => c.field === 'userData') ? ['id'] : []);
    const env = await fakeEnv([changing, fakeResource(cloud, { key: 'group', dependsOn: ['template'] })]);
    const result = await plan(env);
    expect(result.resources.find((r) => r.key === 'group')?.changes).toEqual([
      { field: 'templateId', from: template.id, to: UNKNOWN, action: 'update' },
    ]);
  });
});
