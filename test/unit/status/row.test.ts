import { describe, expect, it } from 'vitest';
import type { Observation } from '../../../src/engine/observe.js';
import { readStatus } from '../../../src/status/read.js';
import { resolveNotChecked, toRow } from '../../../src/status/row.js';
import { FakeCloud, fakeEnv, fakeResource } from '../../support/fake-resources.js';

function observation(over: Partial<Observation> & Pick<Observation, 'key'>): Observation {
  return { title: `the ${over.key}`, action: 'noop', changes: [], ...over };
}

/**
 * Rows follow the engine's fields (missing, blockedBy, skipped), never the wording of its messages: a
 * message worded otherwise gives the same row.
 */
describe('status rows from the engine fields', () => {
  it('a missing read-only resource is missing with what its lookup said, whatever the error text', () => {
    const row = toRow(
      observation({
        key: 'zone',
        error: 'zone lookup failed in some new wording',
        missing: 'no Route 53 hosted zone for example.com',
        hint: 'tekamolo never creates or deletes the hosted zone',
      }),
    );
    expect(row).toMatchObject({
      state: 'missing',
      error: null,
      reason: 'no Route 53 hosted zone for example.com',
      hint: 'tekamolo never creates or deletes the hosted zone',
    });
  });

  it('an error that only reads like a missing lookup stays an error', () => {
    const row = toRow(observation({ key: 'zone', error: 'looking up the zone: AccessDenied' }));
    expect(row).toMatchObject({ state: 'error', error: 'looking up the zone: AccessDenied', reason: null });
  });

  it('a dependent not looked up because its dependency will be created is missing, naming it', () => {
    const row = toRow(
      observation({ key: 'policy', action: 'create', reason: 'waits for the bucket', blockedBy: 'bucket' }),
    );
    expect(row).toMatchObject({ state: 'missing', reason: 'not looked up: bucket is missing' });
    expect(toRow(observation({ key: 'bucket', action: 'create' })).reason).toBeNull();
  });

  it('dependents of a missing resource turn missing along the chain; of an unreadable one stay errors', () => {
    const observations = [
      observation({ key: 'zone', error: 'gone', missing: 'no zone' }),
      observation({ key: 'cert', error: 'not looked at', blockedBy: 'zone' }),
      observation({ key: 'validation', error: 'not looked at', blockedBy: 'cert' }),
      observation({ key: 'bucket', error: 'Throttling' }),
      observation({ key: 'policy', error: 'not looked at', blockedBy: 'bucket' }),
    ];
    const blockedBy = new Map(observations.map((o) => [o.key, o.blockedBy]));
    const rows = resolveNotChecked(
      observations.map((o) => toRow(o)),
      (key) => blockedBy.get(key),
    );
    expect(rows.map((r) => [r.key, r.state, r.reason, r.error])).toEqual([
      ['zone', 'missing', 'no zone', null],
      ['cert', 'missing', 'not looked up: zone is missing', null],
      ['validation', 'missing', 'not looked up: cert is missing', null],
      ['bucket', 'error', null, 'Throttling'],
      ['policy', 'error', null, 'not looked at'],
    ]);
  });

  it('a reading stopped by Ctrl-C lists what it did not reach in one next step', async () => {
    const cloud = new FakeCloud();
    cloud.seed({ name: 'a', spec: {} });
    const controller = new AbortController();
    const a = fakeResource(cloud, { key: 'a' });
    const find = a.find.bind(a);
    a.find = async (ctx) => {
      const found = await find(ctx);
      controller.abort();
      return found;
    };
    const env = await fakeEnv([
      a,
      fakeResource(cloud, { key: 'b', dependsOn: ['a'] }),
      fakeResource(cloud, { key: 'c', dependsOn: ['b'] }),
    ]);
    const report = await readStatus({ ...env, signal: controller.signal });
    expect(report.rows.map((r) => [r.key, r.state])).toEqual([
      ['a', 'ok'],
      ['b', 'error'],
      ['c', 'error'],
    ]);
    expect(report.summary.nextSteps).toContain('not checked until what they depend on can be read: b, c');
  });
});
