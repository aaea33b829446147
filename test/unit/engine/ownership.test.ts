import { describe, expect, it } from 'vitest';
import { apply } from '../../../src/engine/apply.js';
import { destroy, discoverForDestroy } from '../../../src/engine/destroy.js';
import { observe } from '../../../src/engine/observe.js';
import { plan } from '../../../src/engine/plan.js';
import { FakeCloud, type FakeEnvOptions, fakeEnv, fakeResource } from '../../support/fake-resources.js';

const THEIRS = 'tekamolo:stack is "other"';

/**
 * A state file copied from another stack: `a` (and its child `b`, proved only through `a`) are found
 * by the ids it holds, and neither is this stack's.
 */
async function copiedState(opts: FakeEnvOptions = {}) {
  const cloud = new FakeCloud();
  const a = cloud.seed({ name: 'theirs-a', spec: { size: 1 }, notProved: THEIRS });
  const b = cloud.seed({ name: 'theirs-b', spec: { size: 1 } });
  const resources = () => [
    fakeResource(cloud, { key: 'a', spec: { size: 2 } }),
    fakeResource(cloud, { key: 'b', dependsOn: ['a'], spec: { size: 2 }, through: ['a'] }),
  ];
  const env = await fakeEnv(resources(), opts);
  env.store.set('a', { id: a.id });
  env.store.set('b', { id: b.id });
  await env.store.save();
  return { cloud, env, a, b, resources };
}

describe('ownership enforced by the engine', () => {
  it('plan shows a resource found by its state id, and its child, as foreign with the reason', async () => {
    const { env, a, b } = await copiedState();
    const result = await plan(env);
    expect(result.resources.map((r) => [r.key, r.action, r.id, r.reason])).toEqual([
      ['a', 'takeover', a.id, THEIRS],
      ['b', 'takeover', b.id, "belongs to a, which is not this stack's"],
    ]);
    expect(result.resources[0]?.hint).toContain('only with `--take-over a`');
  });

  it('status (every resource looked up at once) finds the child foreign too', async () => {
    const { env } = await copiedState();
    const observed = await observe(env, { fromState: true });
    expect(observed?.map((o) => [o.key, o.action, o.reason])).toEqual([
      ['a', 'takeover', THEIRS],
      ['b', 'takeover', "belongs to a, which is not this stack's"],
    ]);
  });

  it('up --yes takes nothing over: no update, the hint names --take-over', async () => {
    const { cloud, env } = await copiedState({ options: { yes: true } });
    const result = await apply(env);
    expect(result.ok).toBe(false);
    expect(cloud.callsOf('update')).toEqual([]);
    expect(cloud.callsOf('create')).toEqual([]);
    expect(result.states.get('b')).toBe('skipped');
    expect(result.failures[0]?.failure.message).toContain(THEIRS);
    expect(result.failures[0]?.failure.hint).toContain('--take-over a');
    expect(env.questions).toEqual([]);
  });

  it('up without a terminal answer takes nothing over', async () => {
    const { cloud, env } = await copiedState({ answer: false });
    expect((await apply(env)).ok).toBe(false);
    expect(env.questions).toHaveLength(1);
    expect(cloud.callsOf('update')).toEqual([]);
  });

  it('up --take-over a takes it over (then b is proved through it)', async () => {
    const { cloud, env, a, b } = await copiedState({ options: { yes: true, takeOver: ['a'] } });
    const result = await apply(env);
    expect(result.ok).toBe(true);
    expect(result.actions.get('a')).toBe('takeover');
    expect(cloud.items.get(a.id)?.spec).toEqual({ size: 2 });
    expect(cloud.items.get(b.id)?.spec).toMatchObject({ size: 2 });
    expect(env.questions).toEqual([]);
  });

  it('up takes it over after a yes typed on a terminal', async () => {
    const { cloud, env, a } = await copiedState({ answer: true });
    const result = await apply(env);
    expect(result.ok).toBe(true);
    expect(env.questions[0]).toContain(THEIRS);
    expect(cloud.items.get(a.id)?.spec).toEqual({ size: 2 });
  });

  it('destroy deletes neither, names both and fails', async () => {
    const { cloud, env, a, b } = await copiedState({ options: { yes: true } });
    const found = await discoverForDestroy(env);
    expect(found.resources.map((t) => [t.key, t.action])).toEqual([
      ['a', 'keep'],
      ['b', 'keep'],
    ]);
    const result = await destroy(env, found);
    expect(result.ok).toBe(false);
    expect(cloud.callsOf('delete')).toEqual([]);
    expect(cloud.items.has(a.id) && cloud.items.has(b.id)).toBe(true);
    expect(result.failures.map((f) => f.failure.message)).toEqual([
      `fake b ${b.id} is not this stack's (belongs to a, which is not this stack's): not deleted`,
      `fake a ${a.id} is not this stack's (${THEIRS}): not deleted`,
    ]);
    expect(result.failures.every((f) => !f.failure.userError)).toBe(true);
  });

  describe('a replaced resource kept under retired, from a state file of another stack', () => {
    async function withRetired(opts: FakeEnvOptions = {}) {
      const cloud = new FakeCloud();
      const theirs = cloud.seed({ name: 'theirs-old-a', spec: { size: 1 } });
      const env = await fakeEnv([fakeResource(cloud, { key: 'a' })], opts);
      env.store.addRetired({ key: 'a', actual: { id: theirs.id, spec: {}, notProved: THEIRS } });
      await env.store.save();
      return { cloud, env, theirs };
    }

    it('up does not delete it: forgotten, and the run says so', async () => {
      const { cloud, env, theirs } = await withRetired({ options: { yes: true } });
      const result = await apply(env);
      expect(cloud.items.has(theirs.id)).toBe(true);
      expect(cloud.callsOf('delete')).toEqual([]);
      expect(result.ok).toBe(false);
      expect(result.failures.map((f) => f.failure.message)).toEqual([
        `fake a ${theirs.id} is not this stack's (${THEIRS}): not deleted`,
      ]);
      expect(env.store.retired()).toEqual([]);
    });

    it('destroy does not delete it', async () => {
      const { cloud, env, theirs } = await withRetired({ options: { yes: true } });
      const result = await destroy(env, await discoverForDestroy(env));
      expect(cloud.items.has(theirs.id)).toBe(true);
      expect(cloud.callsOf('delete')).toEqual([]);
      expect(result.ok).toBe(false);
      expect(result.failures[0]?.failure.message).toContain(`${theirs.id} is not this stack's`);
    });
  });
});
