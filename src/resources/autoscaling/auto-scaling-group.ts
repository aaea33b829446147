import {
  AttachLoadBalancerTargetGroupsCommand,
  type AutoScalingGroup,
  CreateAutoScalingGroupCommand,
  CreateOrUpdateTagsCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribePoliciesCommand,
  DetachLoadBalancerTargetGroupsCommand,
  PutScalingPolicyCommand,
  UpdateAutoScalingGroupCommand,
  type UpdateAutoScalingGroupCommandInput,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import * as z from 'zod/mini';
import { hasErrorName, isNotFound, orUndefined, retryOn } from '../../aws/errors.js';
import { waitFor } from '../../aws/waiter.js';
import {
  type Actual,
  type Change,
  fieldChange,
  type Health,
  isUnknown,
  knownValue,
  outputField,
  type Resource,
  type ResourceContext,
  STACK_TAG,
  taggedOwnership,
  tagMap,
  type Unknown,
  unknown,
} from '../../engine/contract.js';
import { UserError } from '../../errors.js';
import type { AutoScalingGroupOutputs } from '../outputs.js';
import { whileProfilePropagates } from '../shared/profile-propagation.js';
import { asQuotaError } from '../shared/quota.js';
import { savedState } from '../shared/saved-state.js';
import { missingTags, tagChange } from '../shared/tag-drift.js';
import {
  followRefresh,
  type RolloutTarget,
  readRefresh,
  rolloutText,
  sameTarget,
  startRefresh,
} from './instance-refresh.js';

/** The Status of a group whose deletion has started. */
const DELETING = 'Delete in progress';

export interface AutoScalingGroupDesired {
  name: string;
  launchTemplateId: string | Unknown;
  launchTemplateVersion: string | Unknown;
  subnets: string[] | Unknown;
  targetGroupArns: (string | Unknown)[];
  min: number;
  max: number;
  desiredCapacity: number;
  healthCheckType: 'ELB';
  healthCheckGracePeriod: number;
  cpuTarget: number;
  tags: Record<string, string>;
}

export interface GroupInstance {
  id: string;
  /** Pending | InService | Terminating | … */
  lifecycle: string;
  /** Healthy | Unhealthy */
  health: string;
  /** The launch template it was launched from; undefined when the read did not say. */
  launchTemplateId?: string;
  launchTemplateVersion?: string;
}

export interface ActualAutoScalingGroup extends Actual {
  name: string;
  launchTemplateId?: string;
  launchTemplateVersion?: string;
  subnets?: string[];
  targetGroupArns?: string[];
  min?: number;
  max?: number;
  desiredCapacity?: number;
  /** The desired capacity tekamolo last set (from state); the scaling policy owns it in between. */
  appliedDesired?: number;
  healthCheckType?: string;
  healthCheckGracePeriod?: number;
  /** The target-tracking policy's target; null when the policy is missing. */
  cpuTarget?: number | null;
  instances: GroupInstance[];
  /** Set while an instance refresh started by tekamolo is followed. */
  refreshId?: string;
  /** "InProgress 40%, 1 instance to go", "Failed: <reason>". */
  refreshStatus?: string;
  refreshFailed?: boolean;
  /** The template version the followed refresh rolls out. */
  refreshTarget?: RolloutTarget;
  status?: string;
  tags?: Record<string, string>;
}

/** Seconds ELB health checks are ignored after launch: enough for user data to start the app. */
export const HEALTH_CHECK_GRACE_SECONDS = 300;
export const CPU_POLICY_SUFFIX = '-cpu-target';
function policyName(groupName: string): string {
  return `${groupName}${CPU_POLICY_SUFFIX}`;
}

function pollMs(ctx: ResourceContext): number {
  return ctx.config.waits.pollSeconds * 1000;
}

/**
 * What the group's state entry records: the desired count tekamolo last set (the scaling policy may
 * have moved it since) and the instance refresh it started.
 */
const savedShape = z.object({
  name: z.optional(z.string()),
  desiredCapacity: z.optional(z.number()),
  refreshId: z.optional(z.string()),
  lastRefreshId: z.optional(z.string()),
});

/** The desired state with every dependency's value known, as create and update need it. */
function knownDesired(desired: AutoScalingGroupDesired) {
  return {
    ...desired,
    launchTemplateId: knownValue(desired.launchTemplateId, 'the launch template'),
    launchTemplateVersion: knownValue(desired.launchTemplateVersion, 'the launch template version'),
    subnets: knownValue(desired.subnets, 'the subnets'),
    targetGroupArns: desired.targetGroupArns.map((arn) => knownValue(arn, 'the target group')),
  };
}

async function describeGroup(ctx: ResourceContext, name: string): Promise<AutoScalingGroup | undefined> {
  const result = await orUndefined(
    ctx.aws.autoscaling().send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] })),
  );
  return result?.AutoScalingGroups?.[0];
}

async function readCpuTarget(ctx: ResourceContext, name: string): Promise<number | null> {
  const result = await ctx.aws
    .autoscaling()
    .send(new DescribePoliciesCommand({ AutoScalingGroupName: name, PolicyNames: [policyName(name)] }));
  return result.ScalingPolicies?.[0]?.TargetTrackingConfiguration?.TargetValue ?? null;
}

function instancesOf(group: AutoScalingGroup): GroupInstance[] {
  return (group.Instances ?? []).map((i) => {
    const instance: GroupInstance = {
      id: i.InstanceId ?? '',
      lifecycle: i.LifecycleState ?? 'unknown',
      health: i.HealthStatus ?? 'unknown',
    };
    const template = i.LaunchTemplate;
    if (template?.LaunchTemplateId) instance.launchTemplateId = template.LaunchTemplateId;
    if (template?.Version) instance.launchTemplateVersion = template.Version;
    return instance;
  });
}

/** Instances that stay in the group (not on their way out). */
function serving(actual: ActualAutoScalingGroup): GroupInstance[] {
  return actual.instances.filter((i) => !i.lifecycle.startsWith('Terminat'));
}

/**
 * Instances not launched from the wanted template version. While the group itself is on another
 * version, every instance counts: a refresh with a desired configuration moves the group only when
 * it succeeds, so the group's version is the proof that the rollout has not happened (SkipMatching
 * spares instances that already match). An instance whose template the read did not return counts
 * by the group's.
 */
function staleInstances(
  desired: Pick<AutoScalingGroupDesired, 'launchTemplateId' | 'launchTemplateVersion'>,
  actual: ActualAutoScalingGroup,
): GroupInstance[] {
  const templateUnknown = isUnknown(desired.launchTemplateId) || isUnknown(desired.launchTemplateVersion);
  const groupBehind =
    (actual.launchTemplateId !== undefined && actual.launchTemplateId !== desired.launchTemplateId) ||
    (actual.launchTemplateVersion !== undefined &&
      actual.launchTemplateVersion !== desired.launchTemplateVersion);
  return serving(actual).filter((i) => {
    if (templateUnknown || groupBehind) return true;
    const id = i.launchTemplateId ?? actual.launchTemplateId;
    const version = i.launchTemplateVersion ?? actual.launchTemplateVersion;
    if (id === undefined || version === undefined) return false;
    return id !== desired.launchTemplateId || version !== desired.launchTemplateVersion;
  });
}

/** "1 of 2 instances on template v1, group on v2". */
function rolloutState(actual: ActualAutoScalingGroup, stale: GroupInstance[]): string {
  const byVersion = new Map<string, number>();
  for (const i of stale) {
    const version = i.launchTemplateVersion ?? actual.launchTemplateVersion ?? '?';
    byVersion.set(version, (byVersion.get(version) ?? 0) + 1);
  }
  const total = serving(actual).length;
  const onOld = [...byVersion].map(([version, n]) => `${n} of ${total} instances on template v${version}`);
  return `${onOld.join(', ')}, group on v${actual.launchTemplateVersion ?? '?'}`;
}

/**
 * The rollout is part of the desired state: every instance not on the wanted template version is
 * drift, whether the refresh was never started (refused, the process died, Ctrl-C) or failed and was
 * rolled back. AWS's own answer is the proof; the next `up` starts (or follows) the refresh.
 */
function rolloutChange(desired: AutoScalingGroupDesired, actual: ActualAutoScalingGroup): Change[] {
  const stale = staleInstances(desired, actual);
  if (stale.length === 0) return [];
  return [
    {
      field: 'instanceRefresh',
      from: `${rolloutState(actual, stale)}${actual.refreshId ? `; instance refresh ${actual.refreshStatus ?? 'running'}` : ''}`,
      to: rolloutText(stale.length),
      action: 'update',
      reason: 'instances not on the template version are replaced by an instance refresh',
    },
  ];
}

async function toActual(ctx: ResourceContext, group: AutoScalingGroup): Promise<ActualAutoScalingGroup> {
  const name = group.AutoScalingGroupName ?? '';
  const template =
    group.LaunchTemplate ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  const actual: ActualAutoScalingGroup = {
    id: name,
    name,
    launchTemplateId: template?.LaunchTemplateId,
    launchTemplateVersion: template?.Version,
    subnets: group.VPCZoneIdentifier?.split(',').filter(Boolean).sort(),
    targetGroupArns: group.TargetGroupARNs ? [...group.TargetGroupARNs].sort() : undefined,
    min: group.MinSize,
    max: group.MaxSize,
    desiredCapacity: group.DesiredCapacity,
    healthCheckType: group.HealthCheckType,
    healthCheckGracePeriod: group.HealthCheckGracePeriod,
    cpuTarget: await readCpuTarget(ctx, name),
    instances: instancesOf(group),
    tags: tagMap(group.Tags),
  };
  const saved = savedState(ctx, savedShape);
  if (saved.desiredCapacity !== undefined) actual.appliedDesired = saved.desiredCapacity;
  if (saved.refreshId) {
    // A refresh started by an earlier `up --no-wait` is followed until it ends; once over, status
    // stops calling it running.
    const refresh = await readRefresh(ctx, name, saved.refreshId);
    if (refresh && !refresh.done) {
      actual.refreshId = saved.refreshId;
      actual.refreshStatus = refresh.line;
      if (refresh.failed) actual.refreshFailed = true;
      if (refresh.target) actual.refreshTarget = refresh.target;
    }
  }
  if (group.Status) actual.status = group.Status;
  if (actual.tags?.[STACK_TAG] !== ctx.config.stack) {
    actual.foreign = `Auto Scaling group ${name} has no ${STACK_TAG}=${ctx.config.stack} tag`;
  }
  return actual;
}

/**
 * Desired capacity: target tracking moves it between min and max, so tekamolo restores it only when
 * the config's value changed since it last set it, or when it lies outside min..max.
 */
function desiredCapacityChange(desired: AutoScalingGroupDesired, actual: ActualAutoScalingGroup): Change[] {
  if (actual.desiredCapacity === undefined) return [];
  const outOfRange = actual.desiredCapacity < desired.min || actual.desiredCapacity > desired.max;
  const configChanged =
    actual.appliedDesired === undefined
      ? actual.desiredCapacity !== desired.desiredCapacity
      : actual.appliedDesired !== desired.desiredCapacity;
  if (!outOfRange && !configChanged) return [];
  return [
    { field: 'desiredCapacity', from: actual.desiredCapacity, to: desired.desiredCapacity, action: 'update' },
  ];
}

function groupTags(tags: Record<string, string>, name: string) {
  return Object.entries(tags).map(([Key, Value]) => ({
    Key,
    Value,
    PropagateAtLaunch: true,
    ResourceId: name,
    ResourceType: 'auto-scaling-group',
  }));
}

async function putCpuPolicy(ctx: ResourceContext, name: string, target: number): Promise<void> {
  await ctx.aws.autoscaling().send(
    new PutScalingPolicyCommand({
      AutoScalingGroupName: name,
      PolicyName: policyName(name),
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' },
        TargetValue: target,
      },
    }),
  );
}

async function waitInService(ctx: ResourceContext, name: string): Promise<AutoScalingGroup | undefined> {
  return waitFor<AutoScalingGroup>({
    what: `instances of ${name} to be InService`,
    intervalMs: pollMs(ctx),
    timeoutMs: ctx.config.waits.instancesMinutes * 60_000,
    hint: `check the group's activity history (aws autoscaling describe-scaling-activities --auto-scaling-group-name ${name}): capacity, quotas, AMI, subnets`,
    onWait: (s, ms) => ctx.waiting(`waiting for instances: ${s}`, ms),
    signal: ctx.signal,
    poll: async () => {
      const group = await describeGroup(ctx, name);
      if (!group) return { done: false, failed: 'the group disappeared', status: 'gone' };
      const inService = instancesOf(group).filter((i) => i.lifecycle === 'InService').length;
      const wanted = group.DesiredCapacity ?? 0;
      return { done: inService >= wanted, status: `${inService}/${wanted} InService`, value: group };
    },
  });
}

async function liveInstances(ctx: ResourceContext, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const result = await orUndefined(ctx.aws.ec2().send(new DescribeInstancesCommand({ InstanceIds: ids })));
  const live: string[] = [];
  for (const r of result?.Reservations ?? []) {
    for (const i of r.Instances ?? []) {
      if (i.InstanceId && i.State?.Name !== 'terminated') live.push(`${i.InstanceId} (${i.State?.Name})`);
    }
  }
  return live;
}

export const autoScalingGroup: Resource<
  AutoScalingGroupDesired,
  ActualAutoScalingGroup,
  AutoScalingGroupOutputs
> = {
  key: 'autoScalingGroup',
  title: 'Auto Scaling group',
  dependsOn: ['launchTemplate', 'targetGroup', 'network'],
  optionalWait: true,
  // The Elastic IP needs an InService instance (after a refresh: one of the new ones); with --no-wait
  // it is allocated now and associated by the next up.
  readyBeforeDependents: true,

  desired(ctx) {
    const template = ctx.output('launchTemplate');
    const version = outputField(template, 'version');
    const subnets = outputField(ctx.output('network'), 'subnetIds');
    const scaling = ctx.config.backend.scaling;
    return {
      name: ctx.names.autoScalingGroup,
      launchTemplateId: outputField(template, 'id'),
      // Unknown also when only the version is: an update of the template hands its version over as
      // unknown (outputsChangedBy), the rest of its outputs as they are.
      launchTemplateVersion: isUnknown(version) ? unknown : String(version),
      subnets: isUnknown(subnets) ? unknown : [...subnets].sort(),
      targetGroupArns: [outputField(ctx.output('targetGroup'), 'arn')],
      min: scaling.min,
      max: scaling.max,
      desiredCapacity: scaling.desired,
      healthCheckType: 'ELB',
      healthCheckGracePeriod: HEALTH_CHECK_GRACE_SECONDS,
      cpuTarget: scaling.cpuTarget,
      tags: ctx.tags,
    };
  },

  async find(ctx) {
    const name = savedState(ctx, savedShape).name ?? ctx.names.autoScalingGroup;
    const group = (await describeGroup(ctx, name)) ?? (await describeGroup(ctx, ctx.names.autoScalingGroup));
    return group ? toActual(ctx, group) : undefined;
  },

  ownership(ctx, actual) {
    return taggedOwnership(ctx.config, actual.tags, `Auto Scaling group ${actual.name}`);
  },

  diff(desired, actual): Change[] {
    const rollOut = 'a new template version is rolled out by an instance refresh';
    return [
      ...(isUnknown(desired.launchTemplateId)
        ? []
        : fieldChange(
            'launchTemplateId',
            desired.launchTemplateId,
            actual.launchTemplateId,
            'update',
            rollOut,
          )),
      ...(isUnknown(desired.launchTemplateVersion)
        ? []
        : fieldChange(
            'launchTemplateVersion',
            desired.launchTemplateVersion,
            actual.launchTemplateVersion,
            'update',
            rollOut,
          )),
      ...(isUnknown(desired.subnets) ? [] : fieldChange('subnets', desired.subnets, actual.subnets)),
      // An unknown target group (plan, the group will be created or replaced) is a new ARN: it changes.
      ...fieldChange('targetGroupArns', desired.targetGroupArns, actual.targetGroupArns),
      ...fieldChange('min', desired.min, actual.min),
      ...fieldChange('max', desired.max, actual.max),
      ...desiredCapacityChange(desired, actual),
      ...fieldChange('healthCheckType', desired.healthCheckType, actual.healthCheckType),
      ...fieldChange('healthCheckGracePeriod', desired.healthCheckGracePeriod, actual.healthCheckGracePeriod),
      ...fieldChange('cpuTarget', desired.cpuTarget, actual.cpuTarget),
      ...tagChange(desired.tags, actual.tags),
      ...rolloutChange(desired, actual),
    ];
  },

  async create(ctx, wanted) {
    const desired = knownDesired(wanted);
    try {
      // CreateAutoScalingGroup has no idempotency token; the name is unique per region, so a retried
      // create meets AlreadyExists and takes the group over when it carries our tag.
      await asQuotaError(
        'LimitExceeded',
        'Auto Scaling groups per Region',
        whileProfilePropagates(ctx, () =>
          ctx.aws.autoscaling().send(
            new CreateAutoScalingGroupCommand({
              AutoScalingGroupName: desired.name,
              LaunchTemplate: {
                LaunchTemplateId: desired.launchTemplateId,
                Version: desired.launchTemplateVersion,
              },
              MinSize: desired.min,
              MaxSize: desired.max,
              DesiredCapacity: desired.desiredCapacity,
              VPCZoneIdentifier: desired.subnets.join(','),
              TargetGroupARNs: desired.targetGroupArns,
              HealthCheckType: desired.healthCheckType,
              HealthCheckGracePeriod: desired.healthCheckGracePeriod,
              Tags: groupTags(ctx.tags, desired.name),
            }),
          ),
        ),
      );
    } catch (error) {
      if (!hasErrorName(error, 'AlreadyExists', 'AlreadyExistsFault')) throw error;
      const existing = await describeGroup(ctx, desired.name);
      if (existing && tagMap(existing.Tags)[STACK_TAG] !== ctx.config.stack) {
        throw new UserError(
          `an Auto Scaling group named ${desired.name} exists and is not this stack's`,
          'delete or rename it, or choose another stack name',
        );
      }
    }
    await ctx.record({ name: desired.name, desiredCapacity: desired.desiredCapacity });
    await putCpuPolicy(ctx, desired.name, desired.cpuTarget);
    return {
      id: desired.name,
      ...desired,
      appliedDesired: desired.desiredCapacity,
      instances: [],
    };
  },

  async update(ctx, wanted, actual, changes) {
    const desired = knownDesired(wanted);
    const fields = new Set(changes.map((c) => c.field));
    const autoscaling = ctx.aws.autoscaling();
    // With instances to replace, the refresh moves the group to the new version when it succeeds (and
    // back when it fails); without, the group is simply pointed at it.
    const rollout = fields.has('instanceRefresh');
    const input: UpdateAutoScalingGroupCommandInput = {
      AutoScalingGroupName: actual.name,
      MinSize: desired.min,
      MaxSize: desired.max,
      VPCZoneIdentifier: desired.subnets.join(','),
      HealthCheckType: desired.healthCheckType,
      HealthCheckGracePeriod: desired.healthCheckGracePeriod,
    };
    const templateChanged = fields.has('launchTemplateId') || fields.has('launchTemplateVersion');
    if (!rollout) {
      input.LaunchTemplate = {
        LaunchTemplateId: desired.launchTemplateId,
        Version: desired.launchTemplateVersion,
      };
    }
    // Leave the desired count to the scaling policy unless the config changed it or it is out of range.
    if (fields.has('desiredCapacity')) input.DesiredCapacity = desired.desiredCapacity;
    else if (actual.desiredCapacity !== undefined) {
      input.DesiredCapacity = Math.min(desired.max, Math.max(desired.min, actual.desiredCapacity));
    }
    const groupFields = [
      'subnets',
      'min',
      'max',
      'desiredCapacity',
      'healthCheckType',
      'healthCheckGracePeriod',
    ];
    if (groupFields.some((f) => fields.has(f)) || (templateChanged && !rollout)) {
      await whileProfilePropagates(ctx, () => autoscaling.send(new UpdateAutoScalingGroupCommand(input)));
      if (fields.has('desiredCapacity')) await ctx.record({ desiredCapacity: desired.desiredCapacity });
    }
    if (fields.has('targetGroupArns')) {
      const current = actual.targetGroupArns ?? [];
      const attach = desired.targetGroupArns.filter((a) => !current.includes(a));
      const detach = current.filter((a) => !desired.targetGroupArns.includes(a));
      // Attach the new target group before detaching the old one: traffic always has a target.
      if (attach.length > 0) {
        await autoscaling.send(
          new AttachLoadBalancerTargetGroupsCommand({
            AutoScalingGroupName: actual.name,
            TargetGroupARNs: attach,
          }),
        );
      }
      if (detach.length > 0) {
        await autoscaling.send(
          new DetachLoadBalancerTargetGroupsCommand({
            AutoScalingGroupName: actual.name,
            TargetGroupARNs: detach,
          }),
        );
      }
    }
    if (fields.has('cpuTarget')) await putCpuPolicy(ctx, actual.name, desired.cpuTarget);
    const tags = missingTags(desired.tags, actual.tags);
    if (Object.keys(tags).length > 0) {
      await autoscaling.send(new CreateOrUpdateTagsCommand({ Tags: groupTags(tags, actual.name) }));
    }
    let refreshId: string | undefined;
    if (rollout) {
      const target = { launchTemplateId: desired.launchTemplateId, version: desired.launchTemplateVersion };
      const followed = actual.refreshTarget;
      if (actual.refreshId && !actual.refreshFailed && followed && sameTarget(followed, target)) {
        refreshId = actual.refreshId;
      } else {
        ctx.progress(`starting an instance refresh to template version ${target.version}`);
        refreshId = await startRefresh(ctx, actual.name, target, HEALTH_CHECK_GRACE_SECONDS);
      }
      await ctx.record({ refreshId });
    }
    const updated: ActualAutoScalingGroup = {
      ...actual,
      ...desired,
      // Until the refresh has succeeded, the group stays on the version it had.
      ...(rollout
        ? { launchTemplateId: actual.launchTemplateId, launchTemplateVersion: actual.launchTemplateVersion }
        : {}),
      id: actual.id,
      desiredCapacity: input.DesiredCapacity ?? actual.desiredCapacity,
      tags: { ...actual.tags, ...tags },
      appliedDesired: fields.has('desiredCapacity') ? desired.desiredCapacity : actual.appliedDesired,
    };
    if (refreshId) {
      updated.refreshId = refreshId;
      delete updated.refreshFailed;
    }
    return updated;
  },

  async delete(ctx, actual) {
    if (actual.foreign) return;
    const busy = [
      'ScalingActivityInProgress',
      'ScalingActivityInProgressFault',
      'ResourceInUse',
      'ResourceInUseFault',
    ];
    const deleteGroup = async () => {
      try {
        await ctx.aws
          .autoscaling()
          .send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: actual.name, ForceDelete: true }));
      } catch (error) {
        // A delete retried after its answer was lost meets the first one at work: that is done.
        if (hasErrorName(error, ...busy) && (await describeGroup(ctx, actual.name))?.Status === DELETING)
          return;
        throw error;
      }
    };
    try {
      // A scaling activity in flight refuses the delete for a moment even with ForceDelete.
      await retryOn(busy, deleteGroup, { attempts: 10, delayMs: pollMs(ctx) });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    const instanceIds = actual.instances.map((i) => i.id);
    // The instances' network interfaces hold the instance security group and the target group's
    // registrations: later deletes need them terminated, not just the group gone.
    let inTheWay: string[] = [];
    await waitFor({
      what: `deletion of Auto Scaling group ${actual.name} and its instances`,
      intervalMs: pollMs(ctx),
      timeoutMs: ctx.config.waits.instancesMinutes * 60_000,
      hint: `still in the way: ${actual.name} or its instances; check the group's activity history and the EC2 console`,
      onWait: (s, ms) => ctx.waiting(`waiting for deletion: ${s}`, ms),
      signal: ctx.signal,
      poll: async () => {
        const group = await describeGroup(ctx, actual.name);
        if (group)
          return {
            done: false,
            status: `group ${group.Status ?? 'present'}, ${group.Instances?.length ?? 0} instance(s)`,
          };
        inTheWay = await liveInstances(ctx, instanceIds);
        if (inTheWay.length > 0)
          return { done: false, status: `instances not terminated: ${inTheWay.join(', ')}` };
        return { done: true, status: 'gone' };
      },
    });
  },

  async wait(ctx, actual) {
    const refreshId = actual.refreshId ?? savedState(ctx, savedShape).refreshId;
    if (refreshId && actual.refreshFailed) {
      // Reported once, not on every later run: the next template change starts a new refresh.
      ctx.warn(
        `instance refresh ${refreshId} ended ${actual.refreshStatus ?? 'unsuccessfully'}; some instances may still run an older template version`,
      );
      await ctx.record({ refreshId: undefined, lastRefreshId: refreshId });
    } else if (refreshId) {
      await followRefresh(ctx, actual.name, refreshId, actual.targetGroupArns ?? []);
    }
    // Found with every wanted instance InService (a converged stack): reading it again changes nothing.
    const inService = actual.instances.filter((i) => i.lifecycle === 'InService').length;
    if (!refreshId && actual.desiredCapacity !== undefined && inService >= actual.desiredCapacity) {
      return actual;
    }
    const group = await waitInService(ctx, actual.name);
    if (!group) return actual;
    const ready: ActualAutoScalingGroup = {
      ...actual,
      instances: instancesOf(group),
      desiredCapacity: group.DesiredCapacity,
    };
    // A successful refresh has moved the group to the version it rolled out.
    if (group.LaunchTemplate?.Version) ready.launchTemplateVersion = group.LaunchTemplate.Version;
    delete ready.refreshId;
    delete ready.refreshStatus;
    delete ready.refreshFailed;
    return ready;
  },

  outputs(actual) {
    return { name: actual.name };
  },

  describe(_ctx, actual) {
    const inService = actual.instances.filter((i) => i.lifecycle === 'InService').length;
    const refresh = actual.refreshId ? `, instance refresh ${actual.refreshStatus ?? 'running'}` : '';
    const { launchTemplateId, launchTemplateVersion } = actual;
    const behind =
      launchTemplateId && launchTemplateVersion
        ? staleInstances({ launchTemplateId, launchTemplateVersion }, actual)
        : [];
    const rollout = behind.length > 0 ? ` (${rolloutState(actual, behind)})` : '';
    return `desired ${actual.desiredCapacity ?? '?'} (min ${actual.min ?? '?'}, max ${actual.max ?? '?'}), ${inService} InService, template v${actual.launchTemplateVersion ?? '?'}${rollout}${refresh}`;
  },

  async health(_ctx, actual): Promise<Health> {
    const inService = actual.instances.filter((i) => i.lifecycle === 'InService');
    const unhealthy = actual.instances
      .filter((i) => i.health === 'Unhealthy')
      .map((i) => `${i.id} Unhealthy`);
    const wanted = actual.desiredCapacity ?? 0;
    const detail = `${inService.length}/${wanted} InService`;
    if (unhealthy.length > 0) return { state: 'unhealthy', detail: `${detail}; ${unhealthy.join(', ')}` };
    if (actual.refreshId && actual.refreshFailed) {
      return {
        state: 'unhealthy',
        detail: `${detail}; instance refresh ${actual.refreshStatus ?? 'failed'}`,
      };
    }
    if (actual.refreshId) {
      return { state: 'pending', detail: `${detail}; instance refresh ${actual.refreshStatus ?? 'running'}` };
    }
    if (inService.length < wanted) return { state: 'pending', detail };
    return { state: 'ok', detail };
  },
};
