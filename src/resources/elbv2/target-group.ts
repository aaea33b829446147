import {
  AddTagsCommand,
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  type DescribeTargetGroupsCommandInput,
  DescribeTargetHealthCommand,
  ModifyTargetGroupCommand,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import * as z from 'zod/mini';
import { hasErrorName, isNotFound } from '../../aws/errors.js';
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
  tagList,
  tagMap,
  type Unknown,
} from '../../engine/contract.js';
import { UserError } from '../../errors.js';
import type { TargetGroupOutputs } from '../outputs.js';
import { describeByIdOrName, firstFound } from '../shared/describe-by-id-or-name.js';
import { asQuotaError } from '../shared/quota.js';
import { retryWhile } from '../shared/retry-while.js';
import { savedState } from '../shared/saved-state.js';
import { missingTags, tagChange } from '../shared/tag-drift.js';

export interface TargetGroupDesired {
  name: string;
  protocol: 'HTTP';
  port: number;
  vpcId: string | Unknown;
  healthCheckPath: string;
  healthCheckMatcher: string;
  tags: Record<string, string>;
}

export interface ActualTargetGroup extends Actual {
  arn: string;
  name: string;
  protocol?: string;
  port?: number;
  vpcId?: string;
  healthCheckPath?: string;
  healthCheckMatcher?: string;
  tags?: Record<string, string>;
}

/** What the target group's state entry records. */
const savedShape = z.object({
  arn: z.optional(z.string()),
  name: z.optional(z.string()),
  port: z.optional(z.number()),
});

/** Health check answers that count as healthy: a redirect still proves the process is up. */
const MATCHER = '200-399';

function describeTargetGroup(
  ctx: ResourceContext,
  request: DescribeTargetGroupsCommandInput,
): Promise<TargetGroup | undefined> {
  return firstFound(ctx.aws.elbv2().send(new DescribeTargetGroupsCommand(request)), (r) => r.TargetGroups);
}

async function toActual(ctx: ResourceContext, group: TargetGroup): Promise<ActualTargetGroup> {
  const arn = group.TargetGroupArn ?? '';
  const actual: ActualTargetGroup = {
    id: arn,
    arn,
    name: group.TargetGroupName ?? '',
    protocol: group.Protocol,
    port: group.Port,
    vpcId: group.VpcId,
    healthCheckPath: group.HealthCheckPath,
    healthCheckMatcher: group.Matcher?.HttpCode,
  };
  const described = await ctx.aws.elbv2().send(new DescribeTagsCommand({ ResourceArns: [arn] }));
  actual.tags = tagMap(described.TagDescriptions?.[0]?.Tags);
  if (actual.tags[STACK_TAG] !== ctx.config.stack) {
    actual.foreign = `target group ${actual.name} has no ${STACK_TAG}=${ctx.config.stack} tag`;
  }
  return actual;
}

export const targetGroup: Resource<TargetGroupDesired, ActualTargetGroup, TargetGroupOutputs> = {
  key: 'targetGroup',
  title: 'Target group',
  dependsOn: ['network'],

  desired(ctx) {
    const vpcId = outputField(ctx.output('network'), 'vpcId');
    const port = ctx.config.backend.port;
    return {
      name: ctx.names.targetGroup(port),
      protocol: 'HTTP',
      port,
      vpcId,
      healthCheckPath: ctx.config.backend.healthCheckPath,
      healthCheckMatcher: MATCHER,
      tags: ctx.tags,
    };
  },

  async find(ctx) {
    const savedArn = savedState(ctx, savedShape).arn;
    const group = await describeByIdOrName(
      (request) => describeTargetGroup(ctx, request),
      savedArn ? { TargetGroupArns: [savedArn] } : undefined,
      { Names: [ctx.names.targetGroup(ctx.config.backend.port)] },
    );
    return group ? toActual(ctx, group) : undefined;
  },

  ownership(ctx, actual) {
    return taggedOwnership(ctx.config, actual.tags, `target group ${actual.name}`);
  },

  diff(desired, actual): Change[] {
    // The name carries the port, so a port change is a new target group under a new name: the
    // listener and the Auto Scaling group move to it before the old one is deleted.
    const replaceReason = 'a target group cannot change port, protocol or VPC';
    return [
      ...fieldChange('port', desired.port, actual.port, 'replace', replaceReason),
      ...fieldChange('protocol', desired.protocol, actual.protocol, 'replace', replaceReason),
      ...(isUnknown(desired.vpcId)
        ? []
        : fieldChange('vpcId', desired.vpcId, actual.vpcId, 'replace', replaceReason)),
      ...fieldChange('healthCheckPath', desired.healthCheckPath, actual.healthCheckPath),
      ...fieldChange('healthCheckMatcher', desired.healthCheckMatcher, actual.healthCheckMatcher),
      ...tagChange(desired.tags, actual.tags),
    ];
  },

  async create(ctx, desired) {
    const vpcId = knownValue(desired.vpcId, 'the VPC');
    let arn: string;
    try {
      // CreateTargetGroup is idempotent by name with the same settings: a retry after a crash returns
      // the same ARN.
      const created = await asQuotaError(
        'TooManyTargetGroups',
        'Target groups per Region',
        ctx.aws.elbv2().send(
          new CreateTargetGroupCommand({
            Name: desired.name,
            Protocol: desired.protocol,
            Port: desired.port,
            VpcId: vpcId,
            TargetType: 'instance',
            HealthCheckProtocol: 'HTTP',
            HealthCheckPath: desired.healthCheckPath,
            Matcher: { HttpCode: desired.healthCheckMatcher },
            Tags: tagList(ctx.tags),
          }),
        ),
      );
      arn = created.TargetGroups?.[0]?.TargetGroupArn ?? '';
    } catch (error) {
      // Same name with other settings (changed while we were down, or an implementation that is
      // not idempotent here): ours is adopted and the next diff brings it in line.
      if (!hasErrorName(error, 'DuplicateTargetGroupName', 'DuplicateTargetGroupNameException')) throw error;
      const existing = await describeTargetGroup(ctx, { Names: [desired.name] });
      if (!existing) throw error;
      const found = await toActual(ctx, existing);
      if (found.foreign) {
        throw new UserError(
          `a target group named ${desired.name} exists and is not this stack's`,
          'delete or rename it, or choose another stack name',
        );
      }
      await ctx.record({ arn: found.arn, name: found.name, port: found.port });
      return found;
    }
    await ctx.record({ arn, name: desired.name, port: desired.port });
    return { id: arn, arn, ...desired, vpcId, tags: { ...desired.tags } };
  },

  async update(ctx, desired, actual, changes) {
    const fields = new Set(changes.map((c) => c.field));
    if (fields.has('healthCheckPath') || fields.has('healthCheckMatcher')) {
      await ctx.aws.elbv2().send(
        new ModifyTargetGroupCommand({
          TargetGroupArn: actual.arn,
          HealthCheckPath: desired.healthCheckPath,
          Matcher: { HttpCode: desired.healthCheckMatcher },
        }),
      );
    }
    const tags = missingTags(desired.tags, actual.tags);
    if (Object.keys(tags).length > 0) {
      await ctx.aws.elbv2().send(new AddTagsCommand({ ResourceArns: [actual.arn], Tags: tagList(tags) }));
    }
    return {
      ...actual,
      healthCheckPath: desired.healthCheckPath,
      healthCheckMatcher: desired.healthCheckMatcher,
      tags: { ...actual.tags, ...tags },
    };
  },

  async delete(ctx, actual) {
    if (actual.foreign) return;
    try {
      // A listener rule that was just deleted (or moved to a new target group) still holds the group
      // for a moment: ELB answers ResourceInUse until it has let go.
      await retryWhile(
        ctx,
        ['ResourceInUse', 'ResourceInUseException'],
        () => ctx.aws.elbv2().send(new DeleteTargetGroupCommand({ TargetGroupArn: actual.arn })),
        { minutes: ctx.config.waits.loadBalancerMinutes, what: 'target group still in use by a listener' },
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },

  outputs(actual) {
    return { arn: actual.arn, name: actual.name, port: actual.port ?? 0 };
  },

  async describe(ctx, actual) {
    const { healthy, total } = await targetHealth(ctx, actual.arn);
    return `${actual.name} ${actual.protocol ?? 'HTTP'}:${actual.port ?? '?'}, ${healthy.length}/${total} targets healthy`;
  },

  async health(ctx, actual): Promise<Health> {
    const { healthy, total, reasons, pending } = await targetHealth(ctx, actual.arn);
    if (total === 0) return { state: 'pending', detail: 'no targets registered' };
    if (reasons.length > 0) {
      return { state: 'unhealthy', detail: `${healthy.length}/${total} healthy; ${reasons.join('; ')}` };
    }
    if (pending.length > 0) {
      return { state: 'pending', detail: `${healthy.length}/${total} healthy; ${pending.join('; ')}` };
    }
    return { state: 'ok', detail: `${healthy.length}/${total} healthy` };
  },
};

export interface TargetHealthSummary {
  healthy: string[];
  total: number;
  /** "i-1 unhealthy: Target.ResponseCodeMismatch (Health checks failed with these codes: [502])". */
  reasons: string[];
  /** Targets still in initial or draining state. */
  pending: string[];
}

export async function targetHealth(ctx: ResourceContext, arn: string): Promise<TargetHealthSummary> {
  const result = await ctx.aws.elbv2().send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
  const summary: TargetHealthSummary = { healthy: [], total: 0, reasons: [], pending: [] };
  for (const d of result.TargetHealthDescriptions ?? []) {
    const id = d.Target?.Id ?? '?';
    const state = d.TargetHealth?.State ?? 'unknown';
    summary.total++;
    const why = [d.TargetHealth?.Reason, d.TargetHealth?.Description].filter(Boolean).join(' ');
    const line = `${id} ${state}${why ? `: ${why}` : ''}`;
    if (state === 'healthy') summary.healthy.push(id);
    else if (state === 'initial' || state === 'draining') summary.pending.push(line);
    else summary.reasons.push(line);
  }
  return summary;
}
