import { describe, expect, it } from 'vitest';
import { UNKNOWN } from '../../../src/engine/contract.js';
import { observe } from '../../../src/engine/observe.js';
import { UserError } from '../../../src/errors.js';
import { readStatus } from '../../../src/status/read.js';
import { FakeCloud, fakeEnv, fakeResource } from '../../support/fake-resources.js';
import { withFakeTime } from '../../support/fake-time.js';

/**
 * A chain a → b → c → d whose finds take a few milliseconds each (in fake time), with a state file from
 * the last up.
 */
async function chain(options: { saveState?: boolean; staleOutput?: boolean; failLast?: Error } = {}) {
  const cloud = new FakeCloud();
  const keys = ['a', 'b', 'c', 'd'];
  const items = keys.map((key, i) => cloud.seed({ name: key, spec: { n: i } }));
  const resources = keys.map((key, i) =>
    fakeResource(cloud, {
      key,
      spec: { n: i },
      delayMs: 20,
      dependsOn: i > 0 ? [keys[i - 1] as string] : [],
      ...(options.failLast && i === keys.length - 1 ? { fail: { find: options.failLast } } : {}),
    }),
  );
  // Each item holds the id of its dependency, as `up` would have set it.
  items.forEach((item, i) => {
    if (i > 0) item.spec[`${keys[i - 1]}Id`] = items[i - 1]?.id;
  });
  const env = await fakeEnv(resources);
  if (options.saveState ?? true) {
    items.forEach((item, i) => {
      env.store.set(item.name, {
        id: item.id,
        ...item.spec,
        ...(options.staleOutput && i === 1 ? { n: 99 } : {}),
      });
    });
    await env.store.save();
  }
  return { cloud, env };
}

describe('observe fromState: every resource looked up at once from the state file', () => {
  it('gives exactly what the ordered walk gives, with the finds overlapping instead of level by level', () =>
    withFakeTime(async () => {
      const { cloud, env } = await chain();
      const fast = await observe(env, { fromState: true });
      const finds = cloud.callsOf('find');
      expect(finds).toHaveLength(4);
      const lastStart = Math.max(...finds.map((f) => f.at));
      const firstEnd = Math.min(...finds.map((f) => f.end ?? Number.POSITIVE_INFINITY));
      expect(lastStart).toBeLessThan(firstEnd);

      const ordered = await observe(env);
      expect(fast).toEqual(ordered);
      expect(fast?.map((o) => [o.key, o.action])).toEqual([
        ['a', 'noop'],
        ['b', 'noop'],
        ['c', 'noop'],
        ['d', 'noop'],
      ]);
    }));

  it('without a state file, walks in order: each find after its dependency was found', () =>
    withFakeTime(async () => {
      const { cloud, env } = await chain({ saveState: false });
      const observed = await observe(env, { fromState: true });
      const finds = cloud.callsOf('find');
      expect(finds.map((f) => f.key)).toEqual(['a', 'b', 'c', 'd']);
      finds.slice(1).forEach((find, i) => {
        expect(find.at).toBeGreaterThanOrEqual(finds[i]?.end ?? Number.POSITIVE_INFINITY);
      });
      expect(observed).toEqual(await observe(env));
    }));

  it('looks up again only what was handed outdated outputs, and ends where the ordered walk ends', () =>
    withFakeTime(async () => {
      const { cloud, env } = await chain({ staleOutput: true });
      const fast = await observe(env, { fromState: true });
      expect(cloud.callsOf('find').map((c) => c.key)).toEqual(['a', 'b', 'c', 'd', 'c']);
      expect(fast).toEqual(await observe(env));
      const report = await readStatus(env);
      expect(report.rows).toEqual((await readStatus(env, { fromState: false })).rows);
      expect(report.rows.map((r) => [r.key, r.state])).toEqual([
        ['a', 'ok'],
        ['b', 'ok'],
        ['c', 'ok'],
        ['d', 'ok'],
      ]);
    }));

  it('gives up when a dependency is missing; dependents the state holds are still looked up, its outputs unknown', () =>
    withFakeTime(async () => {
      const { cloud, env } = await chain();
      const b = cloud.byName('b')[0];
      if (b) cloud.items.delete(b.id);
      const observed = await observe(env, { fromState: true });
      // All four at once, then, b being missing, the ordered walk.
      expect(cloud.callsOf('find').map((f) => f.key)).toEqual(['a', 'b', 'c', 'd', 'a', 'b', 'c', 'd']);
      expect(observed).toEqual(await observe(env));
      const report = await readStatus(env);
      // c exists and holds the id of the b that is gone: it will change once b is created again.
      expect(report.rows.map((r) => [r.key, r.state, r.reason])).toEqual([
        ['a', 'ok', null],
        ['b', 'missing', null],
        ['c', 'drifted', null],
        ['d', 'ok', null],
      ]);
      expect(report.rows.find((r) => r.key === 'c')?.changes).toEqual([
        expect.objectContaining({ field: 'bId', to: UNKNOWN }),
      ]);
    }));

  it('without a state file, what depends on a missing resource is still looked up: what exists is shown', () =>
    withFakeTime(async () => {
      const { cloud, env } = await chain({ saveState: false });
      for (const name of ['b', 'd']) {
        const item = cloud.byName(name)[0];
        if (item) cloud.items.delete(item.id);
      }
      const report = await readStatus(env);
      expect(report.rows.map((r) => [r.key, r.state, r.reason])).toEqual([
        ['a', 'ok', null],
        ['b', 'missing', null],
        // c still points at the b that is gone: up moves it to the new one.
        ['c', 'drifted', null],
        ['d', 'missing', null],
      ]);
    }));

  it('reports a failed lookup exactly as the ordered walk does, bad input included', () =>
    withFakeTime(async () => {
      const { env } = await chain({ failLast: new UserError('name taken', 'choose another name') });
      const fast = await observe(env, { fromState: true });
      expect(fast?.at(-1)).toMatchObject({
        key: 'd',
        error: 'reading fake d: name taken',
        hint: 'choose another name',
        badInput: true,
      });
      expect(fast).toEqual(await observe(env));
    }));
});
