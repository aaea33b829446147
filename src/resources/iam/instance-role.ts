import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  DeleteInstanceProfileCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetInstanceProfileCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfileTagsCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  RemoveRoleFromInstanceProfileCommand,
  TagInstanceProfileCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import * as z from 'zod/mini';
import { hasErrorName, orUndefined } from '../../aws/errors.js';
import {
  type Actual,
  type Change,
  fieldChange,
  type Resource,
  type ResourceContext,
  STACK_TAG,
  taggedOwnership,
  tagList,
  tagMap,
} from '../../engine/contract.js';
import { UserError, WorkError } from '../../errors.js';
import type { InstanceRoleOutputs } from '../outputs.js';
import { findUntilVisible, retryUntilVisible } from '../shared/retry-while.js';
import { savedState } from '../shared/saved-state.js';
import { missingTags, tagChange } from '../shared/tag-drift.js';

export interface InstanceRoleDesired {
  roleName: string;
  profileName: string;
  /** The trust policy as sent. */
  trustDocument: string;
  /** The trust policy in canonical form, as `diff` compares it. */
  trust: string;
  policyArns: string[];
  tags: Record<string, string>;
}

export interface ActualInstanceProfile {
  name: string;
  arn: string;
  /** Names of the roles it holds (IAM allows one). */
  roles: string[];
  tags: Record<string, string>;
}

export interface ActualInstanceRole extends Actual {
  roleName: string;
  roleArn: string;
  /** Canonical trust policy; undefined when the read did not return it. */
  trust?: string;
  policyArns: string[];
  tags: Record<string, string>;
  /** Absent when the role has no profile of our name (yet, or any more). */
  profile?: ActualInstanceProfile;
}

/** What Session Manager needs on an instance: the SSM agent may register and open sessions. */
const SSM_POLICY = 'AmazonSSMManagedInstanceCore';

/** Only EC2 may take the role: it is for the stack's instances and nothing else. */
const TRUST_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

/** What the role's state entry records. */
const savedShape = z.object({
  roleName: z.optional(z.string()),
  profileName: z.optional(z.string()),
});

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Sorted keys, one-element lists as their element: IAM may hand a policy back in either form. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 1 ? canonical(value[0]) : value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => a.localeCompare(b));
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

/** A trust policy as IAM returns it (URL-encoded JSON) or as sent, in canonical form. */
export function canonicalTrust(document: string | undefined): string | undefined {
  if (document === undefined) return undefined;
  let text = document;
  try {
    text = decodeURIComponent(document);
    return JSON.stringify(canonical(JSON.parse(text)));
  } catch {
    return text;
  }
}

async function readProfile(ctx: ResourceContext, name: string): Promise<ActualInstanceProfile | undefined> {
  const iam = ctx.aws.iam();
  const found = await orUndefined(iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name })));
  const profile = found?.InstanceProfile;
  if (!profile) return undefined;
  // GetInstanceProfile carries the profile's tags; an answer without them (a profile with none) is
  // asked again by the call that lists them.
  const tags =
    profile.Tags ?? (await iam.send(new ListInstanceProfileTagsCommand({ InstanceProfileName: name }))).Tags;
  return {
    name,
    arn: profile.Arn ?? '',
    roles: (profile.Roles ?? []).map((r) => r.RoleName ?? ''),
    tags: tagMap(tags),
  };
}

async function readRole(ctx: ResourceContext, name: string): Promise<ActualInstanceRole | undefined> {
  const iam = ctx.aws.iam();
  const found = await orUndefined(iam.send(new GetRoleCommand({ RoleName: name })));
  const role = found?.Role;
  if (!role) return undefined;
  const [tags, attached] = await Promise.all([
    iam.send(new ListRoleTagsCommand({ RoleName: name })),
    iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name })),
  ]);
  const actual: ActualInstanceRole = {
    id: name,
    roleName: name,
    roleArn: role.Arn ?? '',
    trust: canonicalTrust(role.AssumeRolePolicyDocument),
    policyArns: (attached.AttachedPolicies ?? []).map((p) => p.PolicyArn ?? '').sort(),
    tags: tagMap(tags.Tags),
  };
  if (actual.tags[STACK_TAG] !== ctx.config.stack) {
    actual.foreign = `IAM role ${name} has no ${STACK_TAG}=${ctx.config.stack} tag`;
  }
  return actual;
}

function notOurs(what: string, name: string): UserError {
  return new UserError(
    `an IAM ${what} named ${name} exists and is not this stack's (no ${STACK_TAG} tag of it)`,
    `delete or rename the ${what}, set backend.sessionManager: false, or choose another stack name`,
  );
}

/**
 * CreateRole has no idempotency token: a retry after a lost answer (or a crash) gets
 * EntityAlreadyExists, and the role of our name is ours only when it carries our stack tag.
 */
async function createRole(ctx: ResourceContext, desired: InstanceRoleDesired): Promise<ActualInstanceRole> {
  try {
    const created = await ctx.aws.iam().send(
      new CreateRoleCommand({
        RoleName: desired.roleName,
        AssumeRolePolicyDocument: desired.trustDocument,
        Description: `tekamolo ${ctx.config.stack}: the instances' role for Session Manager`,
        Tags: tagList(desired.tags),
      }),
    );
    return {
      id: desired.roleName,
      roleName: desired.roleName,
      roleArn: created.Role?.Arn ?? '',
      trust: desired.trust,
      policyArns: [],
      tags: { ...desired.tags },
    };
  } catch (error) {
    if (!hasErrorName(error, 'EntityAlreadyExists')) throw error;
    const existing = await findUntilVisible(ctx, `IAM role ${desired.roleName}`, () =>
      readRole(ctx, desired.roleName),
    );
    if (!existing) throw error;
    if (existing.foreign) throw notOurs('role', desired.roleName);
    return existing;
  }
}

async function createProfile(
  ctx: ResourceContext,
  desired: InstanceRoleDesired,
): Promise<ActualInstanceProfile> {
  try {
    const created = await ctx.aws.iam().send(
      new CreateInstanceProfileCommand({
        InstanceProfileName: desired.profileName,
        Tags: tagList(desired.tags),
      }),
    );
    return {
      name: desired.profileName,
      arn: created.InstanceProfile?.Arn ?? '',
      roles: [],
      tags: desired.tags,
    };
  } catch (error) {
    if (!hasErrorName(error, 'EntityAlreadyExists')) throw error;
    const existing = await findUntilVisible(ctx, `instance profile ${desired.profileName}`, () =>
      readProfile(ctx, desired.profileName),
    );
    if (!existing) throw error;
    if (existing.tags[STACK_TAG] !== ctx.config.stack) throw notOurs('instance profile', desired.profileName);
    return existing;
  }
}

/** The role goes into the profile; a profile holds one role, so another one is taken out first. */
async function putRoleInProfile(
  ctx: ResourceContext,
  profile: ActualInstanceProfile,
  roleName: string,
): Promise<void> {
  const iam = ctx.aws.iam();
  for (const other of profile.roles.filter((r) => r !== roleName)) {
    await orUndefined(
      iam.send(
        new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: profile.name, RoleName: other }),
      ),
    );
  }
  if (profile.roles.includes(roleName)) return;
  try {
    // A role or profile created a moment ago may be NoSuchEntity to this call until IAM propagates it.
    await retryUntilVisible(ctx, ['NoSuchEntity'], 'IAM role or instance profile', () =>
      iam.send(
        new AddRoleToInstanceProfileCommand({ InstanceProfileName: profile.name, RoleName: roleName }),
      ),
    );
  } catch (error) {
    if (!hasErrorName(error, 'LimitExceeded')) throw error;
    // A retry after a lost answer: the profile is full with the role the first call added.
    const now = await readProfile(ctx, profile.name);
    if (!now?.roles.includes(roleName)) throw error;
  }
}

async function attachPolicies(ctx: ResourceContext, roleName: string, arns: string[]): Promise<void> {
  for (const arn of arns) {
    // AttachRolePolicy of an attached policy succeeds: a retried call needs no care. Right after
    // CreateRole, IAM may answer NoSuchEntity for the new role until it has propagated.
    await retryUntilVisible(ctx, ['NoSuchEntity'], `IAM role ${roleName}`, () =>
      ctx.aws.iam().send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: arn })),
    );
  }
}

/** Every policy on the role goes before DeleteRole, which refuses a role with any (DeleteConflict). */
async function emptyRole(ctx: ResourceContext, roleName: string): Promise<void> {
  const iam = ctx.aws.iam();
  const [attached, inline] = await Promise.all([
    orUndefined(iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }))),
    orUndefined(iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))),
  ]);
  for (const policy of attached?.AttachedPolicies ?? []) {
    await orUndefined(
      iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: policy.PolicyArn })),
    );
  }
  for (const name of inline?.PolicyNames ?? []) {
    await orUndefined(iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: name })));
  }
}

/**
 * Everything but the role itself, each step only where it differs: the trust policy, the policy, our
 * tags, the profile (made when missing) holding the role. Create (after the role, new or adopted)
 * and update share it, so a create cut short at any step is finished by the next run's update.
 */
async function converge(
  ctx: ResourceContext,
  desired: InstanceRoleDesired,
  role: ActualInstanceRole,
): Promise<ActualInstanceRole> {
  const iam = ctx.aws.iam();
  if (role.trust !== undefined && role.trust !== desired.trust) {
    await iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: role.roleName, PolicyDocument: desired.trustDocument }),
    );
  }
  const missing = desired.policyArns.filter((arn) => !role.policyArns.includes(arn));
  await attachPolicies(ctx, role.roleName, missing);
  const roleTags = missingTags(desired.tags, role.tags);
  if (Object.keys(roleTags).length > 0) {
    await iam.send(new TagRoleCommand({ RoleName: role.roleName, Tags: tagList(roleTags) }));
  }
  const profile = role.profile ?? (await createProfile(ctx, desired));
  if (!role.profile) await ctx.record({ profileName: profile.name });
  await putRoleInProfile(ctx, profile, role.roleName);
  const profileTags = missingTags(desired.tags, profile.tags);
  if (Object.keys(profileTags).length > 0) {
    await iam.send(
      new TagInstanceProfileCommand({ InstanceProfileName: profile.name, Tags: tagList(profileTags) }),
    );
  }
  return {
    ...role,
    trust: desired.trust,
    policyArns: [...new Set([...role.policyArns, ...missing])].sort(),
    tags: { ...role.tags, ...roleTags },
    profile: { ...profile, roles: [role.roleName], tags: { ...profile.tags, ...profileTags } },
  };
}

export const instanceRole: Resource<InstanceRoleDesired, ActualInstanceRole, InstanceRoleOutputs> = {
  key: 'instanceRole',
  title: 'Instance role and profile',
  dependsOn: [],

  enabled(config) {
    return config.backend.sessionManager;
  },

  desired(ctx) {
    const trustDocument = JSON.stringify(TRUST_POLICY);
    return {
      roleName: ctx.names.instanceRole,
      profileName: ctx.names.instanceRole,
      trustDocument,
      trust: canonicalTrust(trustDocument) ?? trustDocument,
      policyArns: [`arn:${partitionOf(ctx.config.region)}:iam::aws:policy/${SSM_POLICY}`],
      tags: ctx.tags,
    };
  },

  async find(ctx) {
    const saved = savedState(ctx, savedShape);
    const named = ctx.names.instanceRole;
    const role =
      (saved.roleName && saved.roleName !== named && (await readRole(ctx, saved.roleName))) ||
      (await readRole(ctx, named));
    if (!role) return undefined;
    const profile = await readProfile(ctx, saved.profileName ?? ctx.names.instanceRole);
    if (profile) role.profile = profile;
    const others = role.policyArns.filter((arn) => !arn.endsWith(`:policy/${SSM_POLICY}`));
    if (others.length > 0) role.kept = others.map((arn) => `attached policy ${arn}`);
    return role;
  },

  ownership(ctx, actual) {
    const role = taggedOwnership(ctx.config, actual.tags, `IAM role ${actual.roleName}`);
    if (role.notProved || !actual.profile) return role;
    return taggedOwnership(ctx.config, actual.profile.tags, `instance profile ${actual.profile.name}`);
  },

  diff(desired, actual): Change[] {
    const changes: Change[] = [...fieldChange('trust', desired.trust, actual.trust)];
    const missing = desired.policyArns.filter((arn) => !actual.policyArns.includes(arn));
    if (missing.length > 0) {
      changes.push({
        field: 'policies',
        from: actual.policyArns,
        to: [...actual.policyArns, ...missing],
        action: 'update',
        reason: `attach ${missing.join(', ')}`,
      });
    }
    const profile = actual.profile;
    if (!profile) {
      changes.push({ field: 'instanceProfile', from: '(none)', to: desired.profileName, action: 'update' });
    } else {
      if (profile.roles.length !== 1 || profile.roles[0] !== desired.roleName) {
        changes.push({
          field: 'instanceProfile.roles',
          from: profile.roles,
          to: [desired.roleName],
          action: 'update',
        });
      }
      changes.push(
        ...tagChange(desired.tags, profile.tags).map((c) => ({ ...c, field: 'instanceProfile.tags' })),
      );
    }
    changes.push(...tagChange(desired.tags, actual.tags));
    return changes;
  },

  async create(ctx, desired) {
    const role = await createRole(ctx, desired);
    await ctx.record({ roleName: role.roleName });
    const created = await converge(ctx, desired, role);
    if (!created.roleArn || !created.profile?.arn) {
      throw new WorkError('IAM returned no ARN for the role or its profile');
    }
    return created;
  },

  update(ctx, desired, actual) {
    return converge(ctx, desired, actual);
  },

  async delete(ctx, actual) {
    if (actual.foreign) return;
    const iam = ctx.aws.iam();
    // The order IAM demands: a profile holding a role, and a role with policies, cannot be deleted.
    // Each step answers an already-done retry with NoSuchEntity, which counts as done.
    const profile = actual.profile;
    if (profile) {
      for (const role of profile.roles) {
        await orUndefined(
          iam.send(
            new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: profile.name, RoleName: role }),
          ),
        );
      }
      await orUndefined(iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: profile.name })));
    }
    await emptyRole(ctx, actual.roleName);
    await orUndefined(iam.send(new DeleteRoleCommand({ RoleName: actual.roleName })));
  },

  outputs(actual) {
    return {
      roleName: actual.roleName,
      roleArn: actual.roleArn,
      profileName: actual.profile?.name ?? '',
      profileArn: actual.profile?.arn ?? '',
    };
  },

  outputsChangedBy(changes) {
    return changes.some((c) => c.field === 'instanceProfile') ? ['profileArn'] : [];
  },

  describe(_ctx, actual) {
    const profile = actual.profile ? `profile ${actual.profile.name}` : 'no instance profile';
    return `${actual.roleName}: ${actual.policyArns.length} managed policy(ies), ${profile}`;
  },
};
