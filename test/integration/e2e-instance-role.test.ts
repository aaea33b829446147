import { join } from 'node:path';
import { DescribeLaunchTemplatesCommand, DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import {
  GetInstanceProfileCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  changingCalls,
  createZone,
  type E2eProject,
  killAfterOperation,
  readTrace,
  runCli,
  Sdk,
  writeProject,
} from '../support/e2e.js';
import { motoAvailable, useMoto } from '../support/moto.js';
import { callsNotInPolicy } from '../support/policy.js';

/**
 * The instances' IAM role and instance profile (backend.sessionManager) end to end, checked through
 * the SDK. The only file whose emulator loads AWS managed policies (AmazonSSMManagedInstanceCore
 * exists only then): that costs seconds at start and after each reset, so one stack serves every
 * test here, in order, with no reset between them.
 */

const STACK = 'roles';
const NAME = `${STACK}-instances`;
const SSM = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';

describe.skipIf(!motoAvailable())('the instance role and profile end to end', () => {
  const moto = useMoto({ loadManagedPolicies: true, reset: 'file' });
  let sdk: Sdk;
  let iam: IAMClient;
  let project: E2eProject;
  let env: NodeJS.ProcessEnv;
  const cli = (args: string[]) => runCli(['-c', project.config, ...args], { env, cwd: project.dir });
  const trace = (name: string) => join(project.dir, `${name}.jsonl`);

  const tagsOf = (list: { Key?: string; Value?: string }[] | undefined) =>
    Object.fromEntries((list ?? []).map((t) => [t.Key, t.Value]));

  /** The stack's roles and instance profiles, by name prefix, as IAM lists them. */
  async function inventory() {
    const roles = await iam.send(new ListRolesCommand({}));
    const profiles = await iam.send(new ListInstanceProfilesCommand({}));
    return {
      roles: (roles.Roles ?? []).map((r) => r.RoleName).filter((n) => n?.startsWith(`${STACK}-`)),
      profiles: (profiles.InstanceProfiles ?? [])
        .filter((p) => p.InstanceProfileName?.startsWith(`${STACK}-`))
        .map((p) => ({
          name: p.InstanceProfileName,
          arn: p.Arn,
          roles: (p.Roles ?? []).map((r) => r.RoleName),
        })),
    };
  }

  beforeAll(async () => {
    assertBuilt();
    sdk = new Sdk('eu-central-1');
    iam = new IAMClient({ region: 'us-east-1' });
    await createZone('example.com');
    project = await writeProject({ stack: STACK, sessionManager: true });
    env = moto.env({ AWS_EC2_METADATA_DISABLED: 'true' });
  });
  afterAll(() => {
    sdk?.destroy();
    iam?.destroy();
  });

  it('an up killed right after CreateRole is resumed by the next up, which adopts the role', async () => {
    const killedTrace = trace('killed');
    const killed = await killAfterOperation(
      ['-c', project.config, '--trace', killedTrace, 'up'],
      { env, cwd: project.dir },
      killedTrace,
      'CreateRole',
    );
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect((await inventory()).roles).toEqual([NAME]);

    const resumed = trace('resumed');
    const run = await cli(['--trace', resumed, 'up']);
    expect(run.code, run.stderr).toBe(0);
    const calls = changingCalls(await readTrace(resumed));
    // Adopted by its tag, not created again (CreateRole would fail with EntityAlreadyExists).
    expect(calls).not.toContain('iam:CreateRole');
    expect(calls).toContain('iam:CreateInstanceProfile');
    expect(await inventory()).toEqual({
      roles: [NAME],
      profiles: [
        { name: NAME, arn: expect.stringMatching(/:instance-profile\/roles-instances$/), roles: [NAME] },
      ],
    });
    expect(await callsNotInPolicy(project.config, await readTrace(resumed))).toEqual([]);
  }, 180_000);

  it('the role trusts only EC2, holds the Session Manager policy, and role and profile carry the stack tags', async () => {
    const role = (await iam.send(new GetRoleCommand({ RoleName: NAME }))).Role;
    expect(JSON.parse(decodeURIComponent(String(role?.AssumeRolePolicyDocument)))).toMatchObject({
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: NAME }));
    expect((attached.AttachedPolicies ?? []).map((p) => p.PolicyArn)).toEqual([SSM]);
    const expected = { 'tekamolo:stack': STACK, 'tekamolo:resource': 'instanceRole' };
    expect(tagsOf((await iam.send(new ListRoleTagsCommand({ RoleName: NAME }))).Tags)).toEqual(expected);
    const profile = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: NAME }));
    expect(tagsOf(profile.InstanceProfile?.Tags)).toEqual(expected);
  });

  it('the launch template carries the profile; plan then finds everything in sync', async () => {
    const [template] =
      (await sdk.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: [`${STACK}-backend`] })))
        .LaunchTemplates ?? [];
    const versions = await sdk.ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateId: template?.LaunchTemplateId,
        Versions: ['$Default'],
      }),
    );
    const [profile] = (await inventory()).profiles;
    expect(versions.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.IamInstanceProfile).toEqual({
      Arn: profile?.arn,
    });

    const plan = await cli(['plan', '--exit-code']);
    expect(plan.code, plan.stdout).toBe(0);
  }, 120_000);

  it('destroy removes the profile and the role', async () => {
    const down = trace('down');
    const run = await cli(['--trace', down, 'destroy', '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect(await inventory()).toEqual({ roles: [], profiles: [] });
    expect(changingCalls(await readTrace(down))).toEqual(
      expect.arrayContaining([
        'iam:RemoveRoleFromInstanceProfile',
        'iam:DeleteInstanceProfile',
        'iam:DetachRolePolicy',
        'iam:DeleteRole',
      ]),
    );
    expect(await callsNotInPolicy(project.config, await readTrace(down))).toEqual([]);
  }, 120_000);
});
