import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteSecurityGroupCommand,
  DescribeManagedPrefixListsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  type DescribeSecurityGroupsCommandInput,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import * as z from 'zod/mini';
import { errorName, hasErrorName, isNotFound, orUndefined } from '../../aws/errors.js';
import {
  type Actual,
  type Change,
  isUnknown,
  known,
  knownValue,
  outputField,
  RESOURCE_TAG,
  type Resource,
  type ResourceContext,
  STACK_TAG,
  taggedOwnership,
  tagList,
  tagMap,
  type Unknown,
} from '../../engine/contract.js';
import { UserError, WorkError } from '../../errors.js';
import type { SecurityGroupOutputs } from '../outputs.js';
import { findUntilVisible, retryUntilVisible, retryWhile } from '../shared/retry-while.js';
import { savedState } from '../shared/saved-state.js';
import { missingTags, tagChange } from '../shared/tag-drift.js';
import { type IngressRule, revokeRules, ruleKey, ruleKeys, toPermission } from './security-group-rules.js';

export interface SecurityGroupDesired {
  name: string;
  description: string;
  vpcId: string | Unknown;
  /** Sorted canonical rule keys ("tcp:443:pl-…"): the unit of reconciliation. */
  ingress: string[];
  rules: IngressRule[];
  tags: Record<string, string>;
}

export interface ActualSecurityGroup extends Actual {
  name: string;
  vpcId: string | Unknown;
  /** Sorted canonical keys of every ingress rule, ours or not. */
  ingress: string[];
  tags: Record<string, string>;
}

/** The AWS-managed list of CloudFront's origin-facing addresses (counts as ~55 rules against the quota). */
export const CLOUDFRONT_PREFIX_LIST = 'com.amazonaws.global.cloudfront.origin-facing';

const HTTPS_PORT = 443;
const SSH_PORT = 22;

export async function cloudFrontPrefixListId(ctx: ResourceContext): Promise<string> {
  const result = await ctx.aws.ec2().send(
    new DescribeManagedPrefixListsCommand({
      Filters: [{ Name: 'prefix-list-name', Values: [CLOUDFRONT_PREFIX_LIST] }],
    }),
  );
  const id = result.PrefixLists?.[0]?.PrefixListId;
  if (!id) {
    throw new UserError(
      `the managed prefix list ${CLOUDFRONT_PREFIX_LIST} does not exist in ${ctx.config.region}`,
      'use a region where CloudFront publishes it, or set cdn.albOpenToInternet: true',
    );
  }
  return id;
}

/** What a security group's state entry records. */
const savedShape = z.object({ groupId: z.optional(z.string()) });

function vpcIdOf(ctx: ResourceContext): string | Unknown {
  return outputField(ctx.output('network'), 'vpcId');
}

function toActual(ctx: ResourceContext, group: SecurityGroup): ActualSecurityGroup {
  const tags = tagMap(group.Tags);
  const actual: ActualSecurityGroup = {
    id: group.GroupId ?? '',
    name: group.GroupName ?? '',
    vpcId: group.VpcId ?? '',
    ingress: ruleKeys(group.IpPermissions),
    tags,
  };
  if (tags[STACK_TAG] !== ctx.config.stack) {
    actual.foreign = `security group ${actual.name} (${actual.id}) has no ${STACK_TAG}=${ctx.config.stack} tag`;
  }
  return actual;
}

async function describeGroups(
  ctx: ResourceContext,
  request: DescribeSecurityGroupsCommandInput,
): Promise<SecurityGroup[]> {
  const result = await orUndefined(ctx.aws.ec2().send(new DescribeSecurityGroupsCommand(request)));
  return result?.SecurityGroups ?? [];
}

interface GroupSpec {
  key: string;
  title: string;
  dependsOn: string[];
  name(ctx: ResourceContext): string;
  description: string;
  rules(ctx: ResourceContext): Promise<IngressRule[]>;
}

/** Both groups share everything but their name and rules. */
function securityGroupHandler(
  spec: GroupSpec,
): Resource<SecurityGroupDesired, ActualSecurityGroup, SecurityGroupOutputs> {
  async function findByName(ctx: ResourceContext): Promise<ActualSecurityGroup | undefined> {
    const vpcId = known(vpcIdOf(ctx));
    const filters = [{ Name: 'group-name', Values: [spec.name(ctx)] }];
    if (vpcId) filters.push({ Name: 'vpc-id', Values: [vpcId] });
    const [group] = await describeGroups(ctx, { Filters: filters });
    return group ? toActual(ctx, group) : undefined;
  }

  function authorize(ctx: ResourceContext, groupId: string, keys: string[], rules: IngressRule[]) {
    const described = new Map(rules.map((r) => [ruleKey(r), r.description]));
    // Right after CreateSecurityGroup, EC2 may answer InvalidGroup.NotFound for the new group (or
    // for the ALB group a rule names) until the id has propagated.
    return retryUntilVisible(
      ctx,
      ['InvalidGroup.NotFound', 'InvalidGroupId.NotFound'],
      'security group',
      () =>
        ctx.aws.ec2().send(
          new AuthorizeSecurityGroupIngressCommand({
            GroupId: groupId,
            IpPermissions: keys.map((k) => toPermission(k, described.get(k))),
          }),
        ),
    );
  }

  async function addRules(ctx: ResourceContext, groupId: string, keys: string[], rules: IngressRule[]) {
    if (keys.length === 0) return;
    try {
      try {
        await authorize(ctx, groupId, keys, rules);
      } catch (error) {
        if (!hasErrorName(error, 'InvalidPermission.Duplicate')) throw error;
        // A retry of a call whose answer was lost, or a rule added meanwhile: EC2 refuses the whole
        // call when one rule exists. Add what is still missing; nothing missing means done.
        const [group] = await describeGroups(ctx, { GroupIds: [groupId] });
        const present = ruleKeys(group?.IpPermissions);
        const missing = keys.filter((k) => !present.includes(k));
        if (missing.length > 0) await authorize(ctx, groupId, missing, rules);
      }
    } catch (error) {
      if (!hasErrorName(error, 'RulesPerSecurityGroupLimitExceeded')) throw error;
      // A managed prefix list counts with its maximum size (~55 for CloudFront's) against the
      // default quota of 60 inbound rules per group.
      throw new UserError(
        `security group ${groupId} reached the quota "Inbound or outbound rules per security group"`,
        'request a higher quota in Service Quotas (Amazon VPC), remove rules added by hand, or set ' +
          'cdn.albOpenToInternet: true to use two CIDR rules instead of the CloudFront prefix list',
      );
    }
  }

  return {
    key: spec.key,
    title: spec.title,
    dependsOn: spec.dependsOn,

    async desired(ctx) {
      const rules = await spec.rules(ctx);
      return {
        name: spec.name(ctx),
        description: spec.description,
        vpcId: vpcIdOf(ctx),
        ingress: [...new Set(rules.map(ruleKey))].sort(),
        rules,
        tags: ctx.tags,
      };
    },

    async find(ctx) {
      const savedId = savedState(ctx, savedShape).groupId;
      if (savedId) {
        const [group] = await describeGroups(ctx, { GroupIds: [savedId] });
        if (group) return toActual(ctx, group);
      }
      const [tagged] = await describeGroups(ctx, {
        Filters: [
          { Name: `tag:${STACK_TAG}`, Values: [ctx.config.stack] },
          { Name: `tag:${RESOURCE_TAG}`, Values: [spec.key] },
        ],
      });
      if (tagged) return toActual(ctx, tagged);
      return findByName(ctx);
    },

    ownership(ctx, actual) {
      return taggedOwnership(ctx.config, actual.tags, `security group ${actual.name} (${actual.id})`);
    },

    diff(desired, actual): Change[] {
      const changes: Change[] = [];
      if (!isUnknown(desired.vpcId) && actual.vpcId && desired.vpcId !== actual.vpcId) {
        changes.push({
          field: 'vpcId',
          from: actual.vpcId,
          to: desired.vpcId,
          action: 'replace',
          reason: 'a security group cannot move to another VPC',
        });
      }
      const missing = desired.ingress.filter((k) => !actual.ingress.includes(k));
      const extra = actual.ingress.filter((k) => !desired.ingress.includes(k));
      if (missing.length > 0 || extra.length > 0) {
        const change: Change = {
          field: 'ingress',
          from: actual.ingress,
          to: desired.ingress,
          action: 'update',
        };
        const parts = [];
        if (missing.length > 0) parts.push(`add ${missing.join(', ')}`);
        if (extra.length > 0) parts.push(`revoke ${extra.join(', ')}`);
        change.reason = parts.join('; ');
        changes.push(change);
      }
      changes.push(...tagChange(desired.tags, actual.tags));
      return changes;
    },

    async create(ctx, desired) {
      const vpcId = knownValue(desired.vpcId, `${spec.key}: the VPC`);
      let groupId: string;
      try {
        // CreateSecurityGroup has no ClientToken: the (VPC, name) pair is unique, so a retried create
        // after a crash finds the group by name instead of making a second one.
        const created = await ctx.aws.ec2().send(
          new CreateSecurityGroupCommand({
            GroupName: desired.name,
            Description: desired.description,
            VpcId: vpcId,
            TagSpecifications: [{ ResourceType: 'security-group', Tags: tagList(ctx.tags) }],
          }),
        );
        groupId = created.GroupId ?? '';
      } catch (error) {
        if (hasErrorName(error, 'SecurityGroupLimitExceeded')) {
          throw new UserError(
            `no room for security group ${desired.name}: the VPC reached its security group quota`,
            'delete unused security groups or request a higher quota "VPC security groups per Region" in Service Quotas',
          );
        }
        if (!hasErrorName(error, 'InvalidGroup.Duplicate')) throw error;
        // A create retried after its answer was lost: the filtered describe may lag the create.
        const existing = await findUntilVisible(ctx, `security group ${desired.name}`, () => findByName(ctx));
        if (!existing) throw error;
        if (existing.foreign) {
          throw new UserError(
            `a security group named ${desired.name} already exists in ${vpcId} and is not this stack's`,
            `rename or delete ${existing.id}, or choose another stack name`,
          );
        }
        groupId = existing.id;
      }
      await ctx.record({ groupId });
      const [group] = await describeGroups(ctx, { GroupIds: [groupId] });
      const present = ruleKeys(group?.IpPermissions);
      await addRules(
        ctx,
        groupId,
        desired.ingress.filter((k) => !present.includes(k)),
        desired.rules,
      );
      return {
        id: groupId,
        name: desired.name,
        vpcId,
        ingress: [...new Set([...present, ...desired.ingress])].sort(),
        tags: ctx.tags,
      };
    },

    async update(ctx, desired, actual) {
      const tags = missingTags(desired.tags, actual.tags);
      if (Object.keys(tags).length > 0) {
        await ctx.aws.ec2().send(new CreateTagsCommand({ Resources: [actual.id], Tags: tagList(tags) }));
      }
      const missing = desired.ingress.filter((k) => !actual.ingress.includes(k));
      const extra = actual.ingress.filter((k) => !desired.ingress.includes(k));
      // Add first, then revoke: a changed source never leaves the port closed in between.
      await addRules(ctx, actual.id, missing, desired.rules);
      if (extra.length > 0) {
        ctx.progress(`revoking ${extra.join(', ')}`);
        await revokeRules(ctx, actual.id, extra);
      }
      return { ...actual, ingress: desired.ingress, tags: { ...actual.tags, ...tags } };
    },

    async delete(ctx, actual) {
      if (actual.foreign) return;
      try {
        // The network interfaces of a deleted load balancer or of terminated instances are released
        // minutes after their owner is gone; until then EC2 refuses with DependencyViolation.
        await retryWhile(
          ctx,
          ['DependencyViolation'],
          () => ctx.aws.ec2().send(new DeleteSecurityGroupCommand({ GroupId: actual.id })),
          {
            minutes: ctx.config.waits.loadBalancerMinutes,
            what: 'security group still in use by network interfaces',
          },
        );
      } catch (error) {
        if (isNotFound(error)) return;
        if (errorName(error) !== 'DependencyViolation') throw error;
        const inUse = await ctx.aws
          .ec2()
          .send(
            new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'group-id', Values: [actual.id] }] }),
          );
        const enis = (inUse.NetworkInterfaces ?? []).map(
          (n) => `${n.NetworkInterfaceId} (${n.Description || n.InterfaceType || 'no description'})`,
        );
        throw new WorkError(
          `security group ${actual.id} is still in use after ${ctx.config.waits.loadBalancerMinutes} min` +
            (enis.length > 0 ? `: ${enis.join(', ')}` : ' (referenced by another group or resource)'),
          'delete what still uses it (network interfaces, rules of other groups referring to it), then run destroy again',
        );
      }
    },

    outputs(actual) {
      return { groupId: actual.id };
    },

    describe(_ctx, actual) {
      return `${actual.id} ${actual.name}, ${actual.ingress.length} ingress rule(s)`;
    },
  };
}

export const albSecurityGroup = securityGroupHandler({
  key: 'sg.alb',
  title: 'Load balancer security group',
  dependsOn: ['network'],
  name: (ctx) => ctx.names.albSecurityGroup,
  description: 'tekamolo load balancer: HTTPS from CloudFront only',
  async rules(ctx) {
    if (ctx.config.cdn.albOpenToInternet) {
      return [
        { port: HTTPS_PORT, cidr: '0.0.0.0/0', description: 'HTTPS from anywhere' },
        { port: HTTPS_PORT, cidrV6: '::/0', description: 'HTTPS from anywhere' },
      ];
    }
    const prefixListId = await cloudFrontPrefixListId(ctx);
    return [{ port: HTTPS_PORT, prefixListId, description: 'HTTPS from CloudFront origin-facing servers' }];
  },
});

export const instanceSecurityGroup = securityGroupHandler({
  key: 'sg.instances',
  title: 'Instance security group',
  dependsOn: ['network', 'sg.alb'],
  name: (ctx) => ctx.names.instanceSecurityGroup,
  description: 'tekamolo instances: app port from the load balancer, SSH from configured addresses',
  async rules(ctx) {
    const albGroupId = outputField(ctx.output('sg.alb'), 'groupId');
    const port = ctx.config.backend.port;
    const rules: IngressRule[] = [
      { port, groupId: albGroupId, description: 'app port from the load balancer' },
    ];
    for (const cidr of ctx.config.backend.sshCidrs) {
      const rule: IngressRule = { port: SSH_PORT, description: 'SSH' };
      if (cidr.includes(':')) rule.cidrV6 = cidr;
      else rule.cidr = cidr;
      rules.push(rule);
    }
    return rules;
  },
});
