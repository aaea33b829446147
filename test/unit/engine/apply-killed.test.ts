import { describe, expect, it } from 'vitest';
import { apply } from '../../../src/engine/apply.js';
import { type FakeCloud as Cloud, FakeCloud, fakeEnv, fakeResource } from '../../support/fake-resources.js';

/**
 * A run killed at any call, then run again: the second converges with exactly one of each and the
 * third changes nothing. Every kill point of a whole run here; the end-to-end tests against the
 * emulator keep one in `up` (test/integration/e2e-up.test.ts) and one in `destroy` while deleting
 * (e2e-destroy.test.ts).
 */

/** A graph shaped like the stack's: a root, two branches on it, a join, and one on its own. */
function stack(cloud: Cloud) {
  return [
    fakeResource(cloud, { key: 'zone', readyBeforeDependents: true }),
    fakeResource(cloud, { key: 'certificate', dependsOn: ['zone'], waitMs: 1 }),
    fakeResource(cloud, { key: 'bucket', spec: { versioning: true } }),
    fakeResource(cloud, { key: 'balancer', dependsOn: ['certificate'] }),
    fakeResource(cloud, { key: 'distribution', dependsOn: ['certificate', 'bucket', 'balancer'], waitMs: 1 }),
    fakeResource(cloud, { key: 'record', dependsOn: ['zone', 'distribution'] }),
  ];
}

const changing = (cloud: Cloud) => cloud.calls.filter((c) => c.op !== 'find' && c.op !== 'wait');

describe('apply killed at any call', async () => {
  const clean = new FakeCloud();
  await apply(await fakeEnv(stack(clean)));
  const calls = clean.calls.length;

  it('a whole run makes calls of every kind to kill at', () => {
    expect(changing(clean)).toHaveLength(6);
    expect(calls).toBeGreaterThan(12);
  });

  it.each(Array.from({ length: calls }, (_, i) => i + 1))(
    'killed at call %i, the next run converges with one of each and the one after changes nothing',
    async (killedAt) => {
      const cloud = new FakeCloud();
      cloud.killedAtCall = killedAt;
      const killed = await fakeEnv(stack(cloud));
      expect((await apply(killed)).ok).toBe(false);

      cloud.killedAtCall = undefined;
      const resumed = await apply(await fakeEnv(stack(cloud), { dir: killed.dir }));
      expect(resumed.ok).toBe(true);
      const names = [...cloud.items.values()].map((item) => item.name).sort();
      expect(names).toEqual(['balancer', 'bucket', 'certificate', 'distribution', 'record', 'zone']);

      const before = changing(cloud).length;
      const again = await apply(await fakeEnv(stack(cloud), { dir: killed.dir }));
      expect(again.ok).toBe(true);
      expect(changing(cloud).slice(before)).toEqual([]);
    },
  );
});
