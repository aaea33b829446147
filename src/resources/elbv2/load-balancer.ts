import {
  AddTagsCommand,
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  type DescribeLoadBalancersCommandInput,
  DescribeTagsCommand,
  type LoadBalancer,
  SetIpAddressTypeCommand,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import * as z from 'zod/mini';
import { hasErrorName, isNotFound } from '../../aws/errors.js';
import { USUALLY } from '../../aws/usual-durations.js';
import { waitFor } from '../../aws/waiter.js';
import {
  type Actual,
  type Change,
  fieldChange,
  type Health,
  isUnknown,
  known,
  knownValue,
  outputField,
  type Resource,
  type ResourceContext,
  STACK_TAG,
  taggedOwnership,
  tagList,
  tagMap,
  type Unknown,
  unknown,
} from '../../engine/contract.js';
import { UserError, WorkError } from '../../errors.js';
import type { LoadBalancerOutputs } from '../outputs.js';
import { describeByIdOrName, firstFound } from '../shared/describe-by-id-or-name.js';
import { asQuotaError } from '../shared/quota.js';
import { savedState } from '../shared/saved-state.js';
import { missingTags, tagChange } from '../shared/tag-drift.js';

export interface LoadBalancerDesired {
  name: string;
  scheme: 'internet-facing';
  ipAddressType: 'ipv4';
  securityGroups: string[] | Unknown;
  subnets: string[] | Unknown;
  tags: Record<string, string>;
}

export interface ActualLoadBalancer extends Actual {
  arn: string;
  name: string;
  dnsName: string;
  canonicalHostedZoneId: string;
  /** provisioning | active | active_impaired | failed */
  state?: string;
  stateReason?: string;
  scheme?: string;
  ipAddressType?: string;
  securityGroups?: string[];
  subnets?: string[];
  tags?: Record<string, string>;
}

function describe(
  ctx: ResourceContext,
  request: DescribeLoadBalancersCommandInput,
): Promise<LoadBalancer | undefined> {
  return firstFound(ctx.aws.elbv2().send(new DescribeLoadBalancersCommand(request)), (r) => r.LoadBalancers);
}

function toActual(lb: LoadBalancer): ActualLoadBalancer {
  const arn = lb.LoadBalancerArn ?? '';
  const actual: ActualLoadBalancer = {
    id: arn,
    arn,
    name: lb.LoadBalancerName ?? '',
    dnsName: lb.DNSName ?? '',
    canonicalHostedZoneId: lb.CanonicalHostedZoneId ?? '',
    state: lb.State?.Code,
    scheme: lb.Scheme,
    ipAddressType: lb.IpAddressType,
    securityGroups: lb.SecurityGroups ? [...lb.SecurityGroups].sort() : undefined,
    subnets: lb.AvailabilityZones ? lb.AvailabilityZones.map((z) => z.SubnetId ?? '').sort() : undefined,
  };
  if (lb.State?.Reason) actual.stateReason = lb.State.Reason;
  return actual;
}

async function withOwnership(ctx: ResourceContext, actual: ActualLoadBalancer): Promise<ActualLoadBalancer> {
  const described = await ctx.aws.elbv2().send(new DescribeTagsCommand({ ResourceArns: [actual.arn] }));
  actual.tags = tagMap(described.TagDescriptions?.[0]?.Tags);
  if (actual.tags[STACK_TAG] !== ctx.config.stack) {
    actual.foreign = `load balancer ${actual.name} has no ${STACK_TAG}=${ctx.config.stack} tag`;
  }
  return actual;
}

/** What the load balancer's state entry records. */
const savedShape = z.object({ arn: z.optional(z.string()), dnsName: z.optional(z.string()) });

function pollMs(ctx: ResourceContext): number {
  return ctx.config.waits.pollSeconds * 1000;
}

export const loadBalancer: Resource<LoadBalancerDesired, ActualLoadBalancer, LoadBalancerOutputs> = {
  key: 'loadBalancer',
  title: 'Application Load Balancer',
  dependsOn: ['network', 'sg.alb'],

  desired(ctx) {
    const groupId = outputField(ctx.output('sg.alb'), 'groupId');
    const subnets = outputField(ctx.output('network'), 'subnetIds');
    return {
      name: ctx.names.loadBalancer,
      scheme: 'internet-facing',
      ipAddressType: 'ipv4',
      securityGroups: isUnknown(groupId) ? unknown : [groupId],
      subnets: isUnknown(subnets) ? unknown : [...subnets].sort(),
      tags: ctx.tags,
    };
  },

  async find(ctx) {
    const savedArn = savedState(ctx, savedShape).arn;
    const lb = await describeByIdOrName(
      (request) => describe(ctx, request),
      savedArn ? { LoadBalancerArns: [savedArn] } : undefined,
      { Names: [ctx.names.loadBalancer] },
    );
    return lb ? withOwnership(ctx, toActual(lb)) : undefined;
  },

  ownership(ctx, actual) {
    return taggedOwnership(ctx.config, actual.tags, `load balancer ${actual.name}`);
  },

  diff(desired, actual): Change[] {
    return [
      ...fieldChange('scheme', desired.scheme, actual.scheme, 'replace', 'the scheme is fixed at creation'),
      ...fieldChange('ipAddressType', desired.ipAddressType, actual.ipAddressType),
      ...(isUnknown(desired.securityGroups)
        ? []
        : fieldChange('securityGroups', desired.securityGroups, actual.securityGroups)),
      ...(isUnknown(desired.subnets) ? [] : fieldChange('subnets', desired.subnets, actual.subnets)),
      ...tagChange(desired.tags, actual.tags),
    ];
  },

  async create(ctx, desired) {
    let lb: LoadBalancer | undefined;
    try {
      // CreateLoadBalancer is idempotent by name with the same settings: a retried create returns the
      // same ALB rather than a second one.
      const created = await asQuotaError(
        'TooManyLoadBalancers',
        'Application Load Balancers per Region',
        ctx.aws.elbv2().send(
          new CreateLoadBalancerCommand({
            Name: desired.name,
            Type: 'application',
            Scheme: desired.scheme,
            IpAddressType: desired.ipAddressType,
            SecurityGroups: knownValue(desired.securityGroups, 'the ALB security group'),
            Subnets: knownValue(desired.subnets, 'the subnets'),
            Tags: tagList(ctx.tags),
          }),
        ),
      );
      lb = created.LoadBalancers?.[0];
    } catch (error) {
      // Same name with other settings: ours is adopted and the next diff brings it in line.
      if (!hasErrorName(error, 'DuplicateLoadBalancerName', 'DuplicateLoadBalancerNameException'))
        throw error;
      const existing = await describe(ctx, { Names: [desired.name] });
      if (!existing) throw error;
      const found = await withOwnership(ctx, toActual(existing));
      if (found.foreign) {
        throw new UserError(
          `a load balancer named ${desired.name} exists and is not this stack's`,
          'delete or rename it, or choose another stack name',
        );
      }
      lb = existing;
    }
    if (!lb?.LoadBalancerArn)
      throw new WorkError(`CreateLoadBalancer returned no load balancer for ${desired.name}`);
    await ctx.record({ arn: lb.LoadBalancerArn, dnsName: lb.DNSName });
    return { ...toActual(lb), tags: { ...ctx.tags } };
  },

  async update(ctx, desired, actual, changes) {
    const fields = new Set(changes.map((c) => c.field));
    const elbv2 = ctx.aws.elbv2();
    if (fields.has('securityGroups')) {
      await elbv2.send(
        new SetSecurityGroupsCommand({
          LoadBalancerArn: actual.arn,
          SecurityGroups: knownValue(desired.securityGroups, 'the ALB security group'),
        }),
      );
    }
    if (fields.has('subnets')) {
      await elbv2.send(
        new SetSubnetsCommand({
          LoadBalancerArn: actual.arn,
          Subnets: knownValue(desired.subnets, 'the subnets'),
        }),
      );
    }
    if (fields.has('ipAddressType')) {
      await elbv2.send(
        new SetIpAddressTypeCommand({ LoadBalancerArn: actual.arn, IpAddressType: desired.ipAddressType }),
      );
    }
    const tags = missingTags(desired.tags, actual.tags);
    if (Object.keys(tags).length > 0) {
      await elbv2.send(new AddTagsCommand({ ResourceArns: [actual.arn], Tags: tagList(tags) }));
    }
    return {
      ...actual,
      tags: { ...actual.tags, ...tags },
      securityGroups: known(desired.securityGroups),
      subnets: known(desired.subnets),
      ipAddressType: desired.ipAddressType,
    };
  },

  async delete(ctx, actual) {
    if (actual.foreign) return;
    try {
      await ctx.aws.elbv2().send(new DeleteLoadBalancerCommand({ LoadBalancerArn: actual.arn }));
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    // The target group and the security group can only go once the ALB has let go of them.
    await waitFor({
      what: `deletion of load balancer ${actual.name}`,
      intervalMs: pollMs(ctx),
      timeoutMs: ctx.config.waits.loadBalancerMinutes * 60_000,
      hint: `check the load balancer ${actual.name} in the EC2 console (deletion protection, stuck listeners)`,
      onWait: (s, ms) => ctx.waiting(`waiting for load balancer deletion: ${s}`, ms),
      signal: ctx.signal,
      poll: async () => {
        const lb = await describe(ctx, { LoadBalancerArns: [actual.arn] });
        return lb
          ? { done: false, status: lb.State?.Code ?? 'still present' }
          : { done: true, status: 'gone' };
      },
    });
  },

  async wait(ctx, actual) {
    // Already active when found (a converged stack): reading it again would only repeat the answer.
    if (actual.state === 'active') return actual;
    const ready = await waitFor<ActualLoadBalancer>({
      what: `load balancer ${actual.name} to become active`,
      intervalMs: pollMs(ctx),
      timeoutMs: ctx.config.waits.loadBalancerMinutes * 60_000,
      hint: 'check the load balancer state reason in the EC2 console (subnets, security groups, quotas)',
      onWait: (s, ms) => ctx.waiting(`waiting for load balancer: ${s} (${USUALLY.loadBalancerActive})`, ms),
      signal: ctx.signal,
      poll: async () => {
        const lb = await describe(ctx, { LoadBalancerArns: [actual.arn] });
        if (!lb) return { done: false, failed: 'the load balancer disappeared', status: 'gone' };
        const found: ActualLoadBalancer = { ...toActual(lb), foreign: actual.foreign, tags: actual.tags };
        const state = found.state ?? 'unknown';
        if (state === 'active') return { done: true, status: state, value: found };
        if (state === 'failed') return { done: false, failed: found.stateReason ?? 'failed', status: state };
        return { done: false, status: state };
      },
    });
    return ready ?? actual;
  },

  outputs(actual) {
    return { arn: actual.arn, dnsName: actual.dnsName, canonicalHostedZoneId: actual.canonicalHostedZoneId };
  },

  describe(_ctx, actual) {
    return `${actual.state ?? 'unknown'} ${actual.dnsName}`;
  },

  async health(_ctx, actual): Promise<Health> {
    const reason = actual.stateReason ? `: ${actual.stateReason}` : '';
    switch (actual.state) {
      case 'active':
        return { state: 'ok', detail: actual.dnsName };
      case 'provisioning':
        return { state: 'pending', detail: 'provisioning' };
      default:
        return { state: 'unhealthy', detail: `${actual.state ?? 'unknown state'}${reason}` };
    }
  },
};
