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
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfileTagsCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  RemoveRoleFromInstanceProfileCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../../../src/errors.js';
import { canonicalTrust, instanceRole } from '../../../../src/resources/iam/instance-role.js';
import { testConfig, testContext } from '../../../support/context.js';

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

const NAME = 'demo-instances';
const ROLE_ARN = `arn:aws:iam::123456789012:role/${NAME}`;
const PROFILE_ARN = `arn:aws:iam::123456789012:instance-profile/${NAME}`;
const SSM = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';
const OURS = [
  { Key: 'tekamolo:stack', Value: 'demo' },
  { Key: 'tekamolo:resource', Value: 'instanceRole' },
];
const TRUST = encodeURIComponent(
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: ['ec2.amazonaws.com'] }, Action: ['sts:AssumeRole'] },
    ],
  }),
);

function ctx(saved: Record<string, unknown> = {}) {
  return testContext({
    key: 'instanceRole',
    saved,
    config: testConfig({ backend: { sessionManager: true } }),
  });
}

describe('instance role and profile', () => {
  let iam: AwsClientStub<IAMClient>;

  /** IAM as it is once the role, its policy and its profile exist (with these tags). */
  function existing(roleTags = OURS, profileTags = OURS) {
    iam.on(GetRoleCommand).resolves({
      Role: {
        RoleName: NAME,
        Arn: ROLE_ARN,
        AssumeRolePolicyDocument: TRUST,
        Path: '/',
        RoleId: 'AROA1',
        CreateDate: new Date(),
      },
    });
    iam.on(ListRoleTagsCommand).resolves({ Tags: roleTags });
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: SSM }] });
    iam.on(GetInstanceProfileCommand).resolves({
      InstanceProfile: {
        InstanceProfileName: NAME,
        Arn: PROFILE_ARN,
        Roles: [{ RoleName: NAME, Arn: ROLE_ARN, Path: '/', RoleId: 'AROA1', CreateDate: new Date() }],
        Path: '/',
        InstanceProfileId: 'AIPA1',
        CreateDate: new Date(),
      },
    });
    iam.on(ListInstanceProfileTagsCommand).resolves({ Tags: profileTags });
  }

  beforeEach(() => {
    iam = mockClient(IAMClient);
  });
  afterEach(() => {
    iam.reset();
    iam.restore();
  });

  it('is part of the stack only with backend.sessionManager', () => {
    expect(instanceRole.enabled?.(testConfig({ backend: { sessionManager: true } }))).toBe(true);
    expect(instanceRole.enabled?.(testConfig())).toBe(false);
  });

  it('create: a role only EC2 may take, with the Session Manager policy, in a profile, all tagged', async () => {
    iam.on(CreateRoleCommand).resolves({ Role: { RoleName: NAME, Arn: ROLE_ARN } as never });
    iam.on(AttachRolePolicyCommand).resolves({});
    iam.on(CreateInstanceProfileCommand).resolves({ InstanceProfile: { Arn: PROFILE_ARN } as never });
    iam.on(AddRoleToInstanceProfileCommand).resolves({});
    const c = ctx();
    const desired = await instanceRole.desired(c);
    const created = await instanceRole.create(c, desired);

    const role = iam.commandCalls(CreateRoleCommand)[0]?.args[0].input;
    expect(JSON.parse(String(role?.AssumeRolePolicyDocument))).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    expect(role?.Tags).toEqual(expect.arrayContaining(OURS));
    expect(iam.commandCalls(AttachRolePolicyCommand)[0]?.args[0].input).toEqual({
      RoleName: NAME,
      PolicyArn: SSM,
    });
    expect(iam.commandCalls(CreateInstanceProfileCommand)[0]?.args[0].input.Tags).toEqual(
      expect.arrayContaining(OURS),
    );
    expect(iam.commandCalls(AddRoleToInstanceProfileCommand)[0]?.args[0].input).toEqual({
      InstanceProfileName: NAME,
      RoleName: NAME,
    });
    expect(c.recorded).toEqual({ roleName: NAME, profileName: NAME });
    expect(instanceRole.outputs(created)).toEqual({
      roleName: NAME,
      roleArn: ROLE_ARN,
      profileName: NAME,
      profileArn: PROFILE_ARN,
    });
  });

  it('find reads role, policies, profile and both tag sets; in sync with what create made', async () => {
    existing();
    const c = ctx();
    const found = await instanceRole.find(c);
    expect(found).toMatchObject({
      id: NAME,
      roleArn: ROLE_ARN,
      policyArns: [SSM],
      profile: { name: NAME, arn: PROFILE_ARN, roles: [NAME] },
    });
    expect(instanceRole.ownership(c, found!)).toEqual({});
    expect(instanceRole.diff(await instanceRole.desired(c), found!)).toEqual([]);
    expect(iam.commandCalls(ListInstanceProfileTagsCommand)).toHaveLength(1);

    // The tags GetInstanceProfile carries are enough: no second call.
    iam.on(GetInstanceProfileCommand).resolves({
      InstanceProfile: { InstanceProfileName: NAME, Arn: PROFILE_ARN, Roles: [], Tags: OURS } as never,
    });
    expect((await instanceRole.find(c))?.profile?.tags).toEqual({
      'tekamolo:stack': 'demo',
      'tekamolo:resource': 'instanceRole',
    });
    expect(iam.commandCalls(ListInstanceProfileTagsCommand)).toHaveLength(1);
  });

  it('find: no role is undefined; a role without its profile (a create cut short) is drift', async () => {
    iam
      .on(GetRoleCommand)
      .rejects(awsError('NoSuchEntity', 'The role with name demo-instances cannot be found.'));
    expect(await instanceRole.find(ctx())).toBeUndefined();

    existing();
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
    iam.on(GetInstanceProfileCommand).rejects(awsError('NoSuchEntity'));
    const c = ctx();
    const found = await instanceRole.find(c);
    const changes = instanceRole.diff(await instanceRole.desired(c), found!);
    expect(changes.map((ch) => ch.field)).toEqual(['policies', 'instanceProfile']);
    expect(instanceRole.outputsChangedBy?.(changes)).toEqual(['profileArn']);

    iam.on(AttachRolePolicyCommand).resolves({});
    iam.on(CreateInstanceProfileCommand).resolves({ InstanceProfile: { Arn: PROFILE_ARN } as never });
    iam.on(AddRoleToInstanceProfileCommand).resolves({});
    const updated = await instanceRole.update(c, await instanceRole.desired(c), found!, changes);
    expect(iam.commandCalls(AttachRolePolicyCommand)).toHaveLength(1);
    expect(iam.commandCalls(AddRoleToInstanceProfileCommand)).toHaveLength(1);
    expect(instanceRole.outputs(updated).profileArn).toBe(PROFILE_ARN);
  });

  it('a trust policy changed by hand is drift, and put back', async () => {
    existing();
    iam.on(GetRoleCommand).resolves({
      Role: {
        RoleName: NAME,
        Arn: ROLE_ARN,
        AssumeRolePolicyDocument: encodeURIComponent(
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
          }),
        ),
      } as never,
    });
    iam.on(UpdateAssumeRolePolicyCommand).resolves({});
    const c = ctx();
    const found = await instanceRole.find(c);
    const desired = await instanceRole.desired(c);
    const changes = instanceRole.diff(desired, found!);
    expect(changes.map((ch) => ch.field)).toEqual(['trust']);
    await instanceRole.update(c, desired, found!, changes);
    expect(iam.commandCalls(UpdateAssumeRolePolicyCommand)[0]?.args[0].input.PolicyDocument).toBe(
      desired.trustDocument,
    );
    expect(canonicalTrust(TRUST)).toBe(desired.trust);
  });

  describe('lost answers', () => {
    it('a retried create meets its own role and profile (EntityAlreadyExists, LimitExceeded) and adopts them', async () => {
      existing();
      iam
        .on(CreateRoleCommand)
        .rejects(awsError('EntityAlreadyExists', `Role with name ${NAME} already exists.`));
      iam.on(AttachRolePolicyCommand).resolves({});
      iam
        .on(CreateInstanceProfileCommand)
        .rejects(awsError('EntityAlreadyExists', `Instance Profile ${NAME} already exists.`));
      iam
        .on(AddRoleToInstanceProfileCommand)
        .rejects(awsError('LimitExceeded', 'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1'));
      const c = ctx();
      const created = await instanceRole.create(c, await instanceRole.desired(c));
      expect(instanceRole.outputs(created)).toEqual({
        roleName: NAME,
        roleArn: ROLE_ARN,
        profileName: NAME,
        profileArn: PROFILE_ARN,
      });
      expect(iam.commandCalls(AttachRolePolicyCommand)).toHaveLength(0);
      expect(iam.commandCalls(UpdateAssumeRolePolicyCommand)).toHaveLength(0);
      expect(c.recorded).toEqual({ roleName: NAME, profileName: NAME });
    });

    it('a retried delete finds each step done (NoSuchEntity) and succeeds', async () => {
      existing();
      const c = ctx();
      const found = await instanceRole.find(c);
      const gone = awsError('NoSuchEntity');
      iam.on(RemoveRoleFromInstanceProfileCommand).rejects(gone);
      iam.on(DeleteInstanceProfileCommand).rejects(gone);
      iam.on(ListAttachedRolePoliciesCommand).rejects(gone);
      iam.on(ListRolePoliciesCommand).rejects(gone);
      iam.on(DeleteRoleCommand).rejects(gone);
      await expect(instanceRole.delete(c, found!)).resolves.toBeUndefined();
      expect(iam.commandCalls(DeleteRoleCommand)).toHaveLength(1);
    });
  });

  it('delete goes in the order IAM demands: out of the profile, profile, policies, role', async () => {
    existing();
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['added-by-hand'] });
    const c = ctx();
    const found = await instanceRole.find(c);
    await instanceRole.delete(c, found!);
    const order = iam
      .calls()
      .map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name)
      .filter((name) => !/^(Get|List)/.test(name));
    expect(order).toEqual([
      'RemoveRoleFromInstanceProfileCommand',
      'DeleteInstanceProfileCommand',
      'DetachRolePolicyCommand',
      'DeleteRolePolicyCommand',
      'DeleteRoleCommand',
    ]);
    expect(iam.commandCalls(DetachRolePolicyCommand)[0]?.args[0].input.PolicyArn).toBe(SSM);
    expect(iam.commandCalls(DeleteRolePolicyCommand)[0]?.args[0].input.PolicyName).toBe('added-by-hand');
  });

  it('a role or profile of our name without our tag is refused (exit 2), never adopted or deleted', async () => {
    existing([{ Key: 'team', Value: 'other' }]);
    iam.on(CreateRoleCommand).rejects(awsError('EntityAlreadyExists'));
    const c = ctx();
    const desired = await instanceRole.desired(c);
    await expect(instanceRole.create(c, desired)).rejects.toMatchObject({
      name: 'UserError',
      exitCode: ExitCode.badInput,
      message: expect.stringContaining(`IAM role named ${NAME} exists and is not this stack's`),
    });
    expect(iam.commandCalls(AttachRolePolicyCommand)).toHaveLength(0);
    const found = await instanceRole.find(c);
    expect(instanceRole.ownership(c, found!).notProved).toContain('has no tekamolo:stack=demo tag');
    await instanceRole.delete(c, found!);
    expect(iam.commandCalls(DeleteRoleCommand)).toHaveLength(0);

    existing(OURS, [{ Key: 'tekamolo:stack', Value: 'other' }]);
    iam.on(CreateRoleCommand).rejects(awsError('EntityAlreadyExists'));
    iam.on(CreateInstanceProfileCommand).rejects(awsError('EntityAlreadyExists'));
    await expect(instanceRole.create(c, desired)).rejects.toMatchObject({
      exitCode: ExitCode.badInput,
      message: expect.stringContaining(`IAM instance profile named ${NAME} exists`),
    });
    expect(iam.commandCalls(AddRoleToInstanceProfileCommand)).toHaveLength(0);
    expect(instanceRole.ownership(c, (await instanceRole.find(c))!).notProved).toContain(
      'belongs to tekamolo stack other',
    );
  });

  it('a new role not yet visible to AttachRolePolicy is retried, bounded', async () => {
    iam.on(CreateRoleCommand).resolves({ Role: { RoleName: NAME, Arn: ROLE_ARN } as never });
    iam.on(AttachRolePolicyCommand).rejectsOnce(awsError('NoSuchEntity')).resolves({});
    iam.on(CreateInstanceProfileCommand).resolves({ InstanceProfile: { Arn: PROFILE_ARN } as never });
    iam.on(AddRoleToInstanceProfileCommand).resolves({});
    const c = ctx();
    await instanceRole.create(c, await instanceRole.desired(c));
    expect(iam.commandCalls(AttachRolePolicyCommand)).toHaveLength(2);
  });
});
