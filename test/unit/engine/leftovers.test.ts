import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeAddressesCommand, DescribeLaunchTemplatesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apply } from '../../../src/engine/apply.js';
import type { TaggedKind } from '../../../src/engine/contract.js';
import { destroy, discoverForDestroy } from '../../../src/engine/destroy.js';
import { plan, planChanges } from '../../../src/engine/plan.js';
import { eventsOf, FakeCloud, type FakeEnv, fakeEnv, fakeResource } from '../../support/fake-resources.js';

/**
 * Leftovers: what carries the stack's tag but is not what the graph wants. The fake kinds are told
 * apart in the Tagging API's answer by the `tekamolo:resource` tag and a made-up ARN type; the fake
 * handlers find by the saved id first, as the real ones do.
 */

const TYPE = 'fake:thing';
const kind: TaggedKind = { type: TYPE, saved: (id) => ({ id }) };
const kinds = { a: kind, b: kind, c: kind };

function arn(id: string): string {
  return `arn:aws:fake:eu-central-1:123456789012:thing/${id}`;
}

describe('leftovers', () => {
  const tagging = mockClient(ResourceGroupsTaggingAPIClient);
  const ec2 = mockClient(EC2Client);
  const autoscaling = mockClient(AutoScalingClient);
  let cloud: FakeCloud;
  /** What the Tagging API lists: [resource key, id, ARN type], in the stack's region only. */
  let tagged: [string, string, string?][];

  beforeEach(() => {
    cloud = new FakeCloud();
    tagged = [];
    tagging.on(GetResourcesCommand).callsFake(async (_input, getClient) => {
      const region = await (getClient() as ResourceGroupsTaggingAPIClient).config.region();
      if (region !== 'eu-central-1') return {};
      return {
        ResourceTagMappingList: tagged.map(([key, id, type]) => ({
          ResourceARN: type ? `arn:aws:ec2:eu-central-1:1:${type}/${id}` : arn(id),
          Tags: [
            { Key: 'tekamolo:stack', Value: 'demo' },
            { Key: 'tekamolo:resource', Value: key },
          ],
        })),
      };
    });
    ec2.on(DescribeLaunchTemplatesCommand).resolves({});
    ec2.on(DescribeAddressesCommand).resolves({});
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({});
  });
  afterEach(() => {
    for (const m of [tagging, ec2, autoscaling]) m.reset();
  });

  /** a ← b ← c, each existing once; `extra` more b's tagged with the stack. */
  async function stack(options: { failFind?: boolean } = {}): Promise<FakeEnv> {
    const a = cloud.seed({ name: 'a', spec: {} });
    const b = cloud.seed({ name: 'b', spec: { aId: a.id } });
    const c = cloud.seed({ name: 'c', spec: { bId: b.id } });
    tagged.push(['a', a.id], ['b', b.id], ['c', c.id]);
    const env = await fakeEnv([
      fakeResource(cloud, { key: 'a' }),
      fakeResource(cloud, {
        key: 'b',
        dependsOn: ['a'],
        ...(options.failFind ? { fail: { find: new Error('throttled') } } : {}),
      }),
      fakeResource(cloud, { key: 'c', dependsOn: ['b'] }),
    ]);
    env.taggedKinds = kinds;
    return env;
  }

  function oldB(): string {
    const item = cloud.seed({ name: 'b-old', spec: {} });
    tagged.push(['b', item.id]);
    return item.id;
  }

  it('plan shows what is tagged and not wanted as leftover, counted, and nothing else', async () => {
    const env = await stack();
    const old = oldB();
    // Listed by the tag index but already deleted (the index lags): not shown.
    tagged.push(['b', 'b-deleted']);
    // An instance the group launched carries the group's resource tag: not a kind of its own.
    tagged.push(['c', 'i-1', 'instance']);
    const result = await plan(env);
    expect(result.leftovers).toEqual([
      {
        key: 'b',
        title: 'fake b',
        id: old,
        region: 'eu-central-1',
        reason: "carries this stack's tag but is not what the config wants",
      },
    ]);
    expect(result.summary).toMatchObject({ noop: 3, leftover: 1 });
    expect(planChanges(result)).toBe(true);
    expect(cloud.calls.filter((c) => c.op !== 'find')).toEqual([]);
  });

  it('plan calls nothing a leftover of a kind it could not read: the wanted one may be among them', async () => {
    const env = await stack({ failFind: true });
    oldB();
    const result = await plan(env);
    expect(result.leftovers).toEqual([]);
    expect(result.summary.errors).toBeGreaterThan(0);
  });

  it('a Tagging API that refuses is an error of plan and of destroy, which still deletes what it found', async () => {
    const env = await stack();
    tagging
      .on(GetResourcesCommand)
      .rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    const planned = await plan(env);
    expect(planned.resources.at(-1)).toMatchObject({
      key: 'leftovers',
      error: expect.stringContaining('not allowed'),
    });
    expect(planned.summary.errors).toBe(1);
    const found = await discoverForDestroy(env);
    const result = await destroy(env, found);
    expect(result.ok).toBe(false);
    expect(result.failures.map((f) => f.key)).toEqual(['leftovers']);
    expect(cloud.items.size).toBe(0);
  });

  it('up: leftovers that could not be looked for fail the run, told as any failed step, hint included', async () => {
    const env = await stack();
    const refused = { name: 'AccessDeniedException', hint: 'allow tag:GetResources' };
    tagging.on(GetResourcesCommand).rejects(Object.assign(new Error('not allowed'), refused));
    const result = await apply(env);
    expect(result.ok).toBe(false);
    expect(result.failures.map((f) => f.key)).toEqual(['leftovers']);
    expect(eventsOf(env.events, 'resource-failed')).toEqual([
      expect.objectContaining({
        key: 'leftovers',
        error: expect.stringContaining('not allowed'),
        hint: 'allow tag:GetResources',
      }),
    ]);
  });

  it('up deletes a leftover with its handler, after every resource converged, and counts it', async () => {
    const env = await stack();
    const old = oldB();
    const result = await apply(env);
    expect(result.ok).toBe(true);
    expect(result.counts).toMatchObject({ noop: 3, delete: 1 });
    expect(cloud.items.has(old)).toBe(false);
    const last = cloud.calls.at(-1);
    expect(last).toMatchObject({ op: 'delete', key: 'b', id: old });
    // The state entry of b is the wanted one's, untouched by the leftover's deletion.
    expect(env.store.get('b')).toMatchObject({ id: cloud.byName('b')[0]?.id });
    expect(eventsOf(env.events, 'resource-done').filter((e) => e.action === 'delete')).toMatchObject([
      { key: 'b', id: old },
    ]);
  });

  it('up leaves leftovers alone when a resource failed: what replaced them may not be in place', async () => {
    const env = await stack();
    const old = oldB();
    env.resources[2] = fakeResource(cloud, { key: 'c', dependsOn: ['b'], fail: { find: new Error('boom') } });
    const result = await apply(env);
    expect(result.ok).toBe(false);
    expect(cloud.items.has(old)).toBe(true);
  });

  it('destroy deletes a leftover after what uses its kind and before what its kind uses', async () => {
    const env = await stack();
    const old = oldB();
    const [a, c] = [cloud.byName('a')[0]?.id, cloud.byName('c')[0]?.id];
    const found = await discoverForDestroy(env);
    expect(found.leftovers.map((l) => l.id)).toEqual([old]);
    expect(found.summary.delete).toBe(4);
    const result = await destroy(env, found);
    expect(result.ok).toBe(true);
    expect(result.counts.delete).toBe(4);
    const deletes = cloud.callsOf('delete').map((call) => call.id);
    expect(deletes).toHaveLength(4);
    expect(deletes.indexOf(old)).toBeGreaterThan(deletes.indexOf(c));
    expect(deletes.indexOf(old)).toBeLessThan(deletes.indexOf(a));
    expect(cloud.items.size).toBe(0);
  });
});
