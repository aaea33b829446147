import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  type Address,
  AllocateAddressCommand,
  AssociateAddressCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DisassociateAddressCommand,
  ReleaseAddressCommand,
} from '@aws-sdk/client-ec2';
import * as z from 'zod/mini';
import { isNotFound, orUndefined, retryOn } from '../../aws/errors.js';
import {
  type Actual,
  type Change,
  type Health,
  known,
  outputField,
  RESOURCE_TAG,
  type Resource,
  type ResourceContext,
  STACK_TAG,
  taggedOwnership,
  tagList,
  tagMap,
} from '../../engine/contract.js';
import { WorkError } from '../../errors.js';
import type { ElasticIpOutputs } from '../outputs.js';
import { asQuotaError } from '../shared/quota.js';
import { retryUntilVisible } from '../shared/retry-while.js';
import { savedState } from '../shared/saved-state.js';

export interface ElasticIpDesired {
  groupName: string;
  /** InService, healthy instances of the group, sorted: any of them may hold the address. */
  candidates: string[];
}

export interface ActualElasticIp extends Actual {
  allocationId: string;
  publicIp: string;
  associationId?: string;
  instanceId?: string;
  /**
   * Other addresses under the stack's tags: AllocateAddress takes no idempotency token, so a call the
   * SDK retried after its answer was lost allocates twice. `up` releases them, `destroy` too.
   */
  extras?: string[];
  tags?: Record<string, string>;
}

/** What the Elastic IP's state entry records. */
const savedShape = z.object({
  allocationId: z.optional(z.string()),
  publicIp: z.optional(z.string()),
  instanceId: z.optional(z.string()),
});

/** Instances of the group that can hold the address. */
async function inServiceInstances(ctx: ResourceContext): Promise<string[]> {
  const name = known(outputField(ctx.output('autoScalingGroup'), 'name'));
  if (!name) return [];
  const result = await ctx.aws
    .autoscaling()
    .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  return (result.AutoScalingGroups?.[0]?.Instances ?? [])
    .filter((i) => i.LifecycleState === 'InService' && i.HealthStatus !== 'Unhealthy' && i.InstanceId)
    .map((i) => i.InstanceId as string)
    .sort();
}

function toActual(address: Address): ActualElasticIp {
  const actual: ActualElasticIp = {
    id: address.AllocationId ?? '',
    allocationId: address.AllocationId ?? '',
    publicIp: address.PublicIp ?? '',
  };
  if (address.Tags) actual.tags = tagMap(address.Tags);
  if (address.AssociationId) actual.associationId = address.AssociationId;
  if (address.InstanceId) actual.instanceId = address.InstanceId;
  return actual;
}

async function describeAddress(ctx: ResourceContext, allocationId: string): Promise<Address | undefined> {
  const result = await orUndefined(
    ctx.aws.ec2().send(new DescribeAddressesCommand({ AllocationIds: [allocationId] })),
  );
  return result?.Addresses?.[0];
}

/** Every address under the stack's and this resource's tags. */
async function taggedAddresses(ctx: ResourceContext): Promise<Address[]> {
  const result = await ctx.aws.ec2().send(
    new DescribeAddressesCommand({
      Filters: [
        { Name: `tag:${STACK_TAG}`, Values: [ctx.config.stack] },
        { Name: `tag:${RESOURCE_TAG}`, Values: ['elasticIp'] },
      ],
    }),
  );
  return (result.Addresses ?? []).filter((a) => a.AllocationId);
}

/** "running", "terminated", or undefined when EC2 no longer knows the instance. */
async function instanceState(ctx: ResourceContext, instanceId: string): Promise<string | undefined> {
  const result = await orUndefined(
    ctx.aws.ec2().send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })),
  );
  return result?.Reservations?.[0]?.Instances?.[0]?.State?.Name;
}

async function associate(
  ctx: ResourceContext,
  allocationId: string,
  instanceId: string,
): Promise<string | undefined> {
  ctx.progress(`associating with ${instanceId}`);
  // An instance the Auto Scaling group launched seconds ago may not be visible to EC2's other APIs
  // yet (InvalidInstanceID.NotFound).
  const result = await retryUntilVisible(ctx, ['InvalidInstanceID.NotFound'], `instance ${instanceId}`, () =>
    ctx.aws.ec2().send(
      // AllowReassociation: moving the address off a replaced instance is exactly the point. It also
      // makes a retried association (its answer lost) succeed again.
      new AssociateAddressCommand({
        AllocationId: allocationId,
        InstanceId: instanceId,
        AllowReassociation: true,
      }),
    ),
  );
  await ctx.record({ instanceId });
  return result.AssociationId;
}

function needsAssociation(desired: ElasticIpDesired, actual: ActualElasticIp): boolean {
  if (desired.candidates.length === 0) return false;
  return !(actual.instanceId && desired.candidates.includes(actual.instanceId));
}

/** Disassociate (when associated) and release one address; one already released is fine. */
async function release(ctx: ResourceContext, allocationId: string): Promise<void> {
  const ec2 = ctx.aws.ec2();
  const current = await describeAddress(ctx, allocationId);
  if (!current) return;
  if (current.AssociationId) {
    await orUndefined(ec2.send(new DisassociateAddressCommand({ AssociationId: current.AssociationId })));
  }
  try {
    // EC2 takes a moment to register the disassociation; until then release says InUse.
    await retryOn(
      ['InvalidIPAddress.InUse'],
      () => ec2.send(new ReleaseAddressCommand({ AllocationId: allocationId })),
      { attempts: 10, delayMs: ctx.config.waits.pollSeconds * 1000 },
    );
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

export const elasticIp: Resource<ElasticIpDesired, ActualElasticIp, ElasticIpOutputs> = {
  key: 'elasticIp',
  title: 'Elastic IP',
  dependsOn: ['autoScalingGroup'],
  enabled: (config) => config.backend.elasticIp,

  async desired(ctx) {
    return { groupName: ctx.names.autoScalingGroup, candidates: await inServiceInstances(ctx) };
  },

  async find(ctx) {
    const savedId = savedState(ctx, savedShape).allocationId;
    // One read by the tags finds the recorded address and any other allocated under them; the recorded
    // one is read by its id only when it is not among them (someone removed its tags).
    const tagged = await taggedAddresses(ctx);
    const saved = savedId
      ? (tagged.find((a) => a.AllocationId === savedId) ?? (await describeAddress(ctx, savedId)))
      : undefined;
    const address = saved ?? tagged.find((a) => a.AssociationId) ?? tagged[0];
    if (!address) return undefined;
    const actual = toActual(address);
    const extras = tagged
      .filter((a) => a.AllocationId !== address.AllocationId)
      .map((a) => a.AllocationId as string);
    if (extras.length > 0) actual.extras = extras;
    return actual;
  },

  ownership(ctx, actual) {
    return taggedOwnership(ctx.config, actual.tags, `Elastic IP ${actual.publicIp}`);
  },

  diff(desired, actual): Change[] {
    const changes: Change[] = [];
    if (actual.extras) {
      changes.push({
        field: 'extraAddresses',
        from: actual.extras,
        to: [],
        action: 'update',
        reason: 'allocated more than once (a retried AllocateAddress): the extra ones are released',
      });
    }
    // No InService instance (yet): nothing to associate with; health reports it.
    if (!needsAssociation(desired, actual)) return changes;
    changes.push({
      field: 'instanceId',
      from: actual.instanceId ?? null,
      to: desired.candidates[0],
      action: 'update',
      reason: actual.instanceId
        ? `${actual.instanceId} is no longer an InService instance of ${desired.groupName}`
        : 'not associated',
    });
    return changes;
  },

  async create(ctx, desired) {
    const allocated = await asQuotaError(
      'AddressLimitExceeded',
      'EC2-VPC Elastic IPs',
      ctx.aws.ec2().send(
        new AllocateAddressCommand({
          Domain: 'vpc',
          TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: tagList(ctx.tags) }],
        }),
      ),
    );
    const allocationId = allocated.AllocationId;
    if (!allocationId) throw new WorkError('AllocateAddress returned no allocation id');
    const publicIp = allocated.PublicIp ?? '';
    await ctx.record({ allocationId, publicIp });
    // find saw no address under our tags, so any other one now is a double of this very call.
    for (const extra of await taggedAddresses(ctx)) {
      if (extra.AllocationId === allocationId || !extra.AllocationId) continue;
      ctx.progress(`releasing ${extra.AllocationId}, allocated twice`);
      await release(ctx, extra.AllocationId);
    }
    const actual: ActualElasticIp = { id: allocationId, allocationId, publicIp };
    const instanceId = desired.candidates[0];
    if (!instanceId) {
      ctx.warn(
        `Elastic IP ${publicIp} is not associated yet: ${desired.groupName} has no InService instance`,
      );
      return actual;
    }
    const associationId = await associate(ctx, allocationId, instanceId);
    if (associationId) actual.associationId = associationId;
    return { ...actual, instanceId };
  },

  async update(ctx, desired, actual) {
    const { extras, ...updated } = actual;
    const instanceId = desired.candidates[0];
    if (instanceId && needsAssociation(desired, actual)) {
      const associationId = await associate(ctx, actual.allocationId, instanceId);
      updated.instanceId = instanceId;
      if (associationId) updated.associationId = associationId;
    }
    for (const allocationId of extras ?? []) {
      ctx.progress(`releasing ${allocationId}, allocated twice`);
      await release(ctx, allocationId);
    }
    return updated;
  },

  async delete(ctx, actual) {
    if (actual.foreign) return;
    for (const allocationId of [actual.allocationId, ...(actual.extras ?? [])])
      await release(ctx, allocationId);
  },

  outputs(actual) {
    const outputs: ElasticIpOutputs = { allocationId: actual.allocationId, publicIp: actual.publicIp };
    if (actual.instanceId) outputs.instanceId = actual.instanceId;
    return outputs;
  },

  async describe(ctx, actual) {
    if (!actual.instanceId) return `${actual.publicIp}, not associated`;
    const state = await instanceState(ctx, actual.instanceId);
    const where = state === undefined ? 'no longer exists' : state;
    return `${actual.publicIp} → ${actual.instanceId} (${where})`;
  },

  async health(ctx, actual): Promise<Health> {
    if (!actual.instanceId)
      return { state: 'pending', detail: `${actual.publicIp} is not associated with an instance` };
    const state = await instanceState(ctx, actual.instanceId);
    if (state === undefined || state === 'terminated' || state === 'shutting-down') {
      return {
        state: 'unhealthy',
        detail: `${actual.publicIp} points at ${actual.instanceId}, which ${state ? `is ${state}` : 'no longer exists'}; up re-associates it`,
      };
    }
    const candidates = await inServiceInstances(ctx);
    if (candidates.length > 0 && !candidates.includes(actual.instanceId)) {
      return {
        state: 'unhealthy',
        detail: `${actual.instanceId} is ${state} but not InService in the group; up re-associates it`,
      };
    }
    return { state: 'ok', detail: `${actual.publicIp} → ${actual.instanceId}` };
  },
};
