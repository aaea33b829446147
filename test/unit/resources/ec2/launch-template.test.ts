import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  DeleteLaunchTemplateCommand,
  DescribeImagesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  ModifyLaunchTemplateCommand,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { isUnknown, type Unknown, unknown } from '../../../../src/engine/contract.js';
import {
  type ActualLaunchTemplate,
  clientToken,
  launchTemplate,
} from '../../../../src/resources/ec2/launch-template.js';
import type { LaunchTemplateOutputs } from '../../../../src/resources/outputs.js';
import { testConfig, testContext } from '../../../support/context.js';

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

const OUTPUTS = { 'sg.instances': { groupId: 'sg-i' } };
const AMI = 'ami-0123456789abcdef0';

function ctx(saved: Record<string, unknown> = {}, config = testConfig()) {
  return testContext({ key: 'launchTemplate', saved, outputs: OUTPUTS, config });
}

describe('launch template', () => {
  let ec2: AwsClientStub<EC2Client>;
  let ssm: AwsClientStub<SSMClient>;

  beforeEach(() => {
    ec2 = mockClient(EC2Client);
    ssm = mockClient(SSMClient);
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: AMI } });
    ec2.on(DescribeImagesCommand).resolves({
      Images: [
        {
          ImageId: AMI,
          RootDeviceName: '/dev/xvda',
          BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 8 } }],
        },
      ],
    });
  });
  afterEach(() => {
    ec2.reset();
    ec2.restore();
    ssm.reset();
    ssm.restore();
  });

  it('resolves the AMI from the SSM parameter and asks for IMDSv2 and an encrypted gp3 root volume', async () => {
    const desired = await launchTemplate.desired(ctx());
    expect(ssm.commandCalls(GetParameterCommand)[0]?.args[0].input.Name).toBe(
      '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    );
    expect(desired.data).toEqual({
      imageId: AMI,
      instanceType: 't3.small',
      securityGroupIds: ['sg-i'],
      instanceProfile: '',
      httpTokens: 'required',
      hopLimit: 2,
      rootDeviceName: '/dev/xvda',
      rootVolumeSize: 8,
      rootVolumeType: 'gp3',
      rootEncrypted: true,
    });
  });

  it('an AMI id is used as is; a missing SSM parameter or AMI is a UserError', async () => {
    const desired = await launchTemplate.desired(ctx({}, testConfig({ backend: { ami: AMI } })));
    expect(desired.data.imageId).toBe(AMI);
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
    ssm.on(GetParameterCommand).rejects(awsError('ParameterNotFound'));
    await expect(launchTemplate.desired(ctx())).rejects.toMatchObject({
      name: 'UserError',
      hint: expect.stringContaining('backend.ami'),
    });
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: AMI } });
    ec2.on(DescribeImagesCommand).rejects(awsError('InvalidAMIID.NotFound'));
    await expect(launchTemplate.desired(ctx())).rejects.toMatchObject({
      name: 'UserError',
      message: expect.stringContaining(`AMI ${AMI} was not found`),
    });
  });

  it('user data is read relative to the config folder and sent base64', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tekamolo-lt-'));
    await writeFile(join(dir, 'user-data.sh'), '#!/bin/sh\necho hi\n');
    const c = ctx({}, testConfig({ backend: { userData: './user-data.sh' } }));
    c.configDir = dir;
    const desired = await launchTemplate.desired(c);
    expect(Buffer.from(desired.data.userData ?? '', 'base64').toString()).toBe('#!/bin/sh\necho hi\n');
  });

  it('create sends a deterministic ClientToken, the full data and tags, and records id and version', async () => {
    ec2.on(CreateLaunchTemplateCommand).resolves({
      LaunchTemplate: {
        LaunchTemplateId: 'lt-1',
        LaunchTemplateName: 'demo-backend',
        DefaultVersionNumber: 1,
      },
    });
    const c = ctx();
    const desired = await launchTemplate.desired(c);
    await launchTemplate.create(c, desired);
    const input = ec2.commandCalls(CreateLaunchTemplateCommand)[0]?.args[0].input;
    expect(input?.ClientToken).toBe(clientToken('demo', 'launchTemplate', desired.data));
    expect(input?.ClientToken).toHaveLength(64);
    expect(input?.LaunchTemplateData).toMatchObject({
      ImageId: AMI,
      SecurityGroupIds: ['sg-i'],
      MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled' },
      BlockDeviceMappings: [
        { DeviceName: '/dev/xvda', Ebs: { VolumeType: 'gp3', Encrypted: true, VolumeSize: 8 } },
      ],
    });
    expect(input?.TagSpecifications?.[0]?.Tags).toContainEqual({ Key: 'tekamolo:stack', Value: 'demo' });
    expect(c.recorded).toMatchObject({ id: 'lt-1', version: 1 });
    expect(clientToken('demo', 'launchTemplate', { ...desired.data, instanceType: 't3.large' })).not.toBe(
      input?.ClientToken,
    );
  });

  describe('the image root device, read once per AMI id', () => {
    const NEWER = 'ami-0fedcba9876543210';

    it('create keeps what DescribeImages said beside the template; the next run reads no image', async () => {
      ec2.on(CreateLaunchTemplateCommand).resolves({
        LaunchTemplate: {
          LaunchTemplateId: 'lt-1',
          LaunchTemplateName: 'demo-backend',
          DefaultVersionNumber: 1,
        },
      });
      const first = ctx();
      await launchTemplate.create(first, await launchTemplate.desired(first));
      expect(first.recorded.image).toEqual({ imageId: AMI, name: '/dev/xvda', size: 8 });
      expect(ec2.commandCalls(DescribeImagesCommand)).toHaveLength(1);

      const next = await launchTemplate.desired(ctx({ ...first.recorded }));
      expect(ec2.commandCalls(DescribeImagesCommand)).toHaveLength(1);
      expect(next.data).toMatchObject({ imageId: AMI, rootDeviceName: '/dev/xvda', rootVolumeSize: 8 });
    });

    it('a new AMI behind the SSM parameter is read again and its root device is drift', async () => {
      ssm.on(GetParameterCommand).resolves({ Parameter: { Value: NEWER } });
      ec2.on(DescribeImagesCommand).resolves({
        Images: [
          {
            ImageId: NEWER,
            RootDeviceName: '/dev/sda1',
            BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { VolumeSize: 30 } }],
          },
        ],
      });
      const c = ctx({ id: 'lt-1', image: { imageId: AMI, name: '/dev/xvda', size: 8 } });
      const desired = await launchTemplate.desired(c);
      expect(ec2.commandCalls(DescribeImagesCommand)[0]?.args[0].input.ImageIds).toEqual([NEWER]);
      expect(c.recorded.image).toEqual({ imageId: NEWER, name: '/dev/sda1', size: 30 });
      const actual: ActualLaunchTemplate = {
        id: 'lt-1',
        name: 'demo-backend',
        defaultVersion: 1,
        latestVersion: 1,
        data: { imageId: AMI, rootDeviceName: '/dev/xvda', rootVolumeSize: 8 },
      };
      expect(launchTemplate.diff(desired, actual).map((ch) => [ch.field, ch.from, ch.to])).toEqual([
        ['imageId', AMI, NEWER],
        ['rootDeviceName', '/dev/xvda', '/dev/sda1'],
        ['rootVolumeSize', 8, 30],
      ]);
    });

    it('a saved entry without its parts is read again; before the template exists nothing is recorded', async () => {
      const broken = ctx({ id: 'lt-1', image: { imageId: AMI } });
      await launchTemplate.desired(broken);
      expect(ec2.commandCalls(DescribeImagesCommand)).toHaveLength(1);
      expect(broken.recorded.image).toEqual({ imageId: AMI, name: '/dev/xvda', size: 8 });

      const fresh = ctx();
      await launchTemplate.desired(fresh);
      expect(ec2.commandCalls(DescribeImagesCommand)).toHaveLength(2);
      expect(fresh.recorded.image).toBeUndefined();
    });
  });

  it("a same-named template that is not this stack's is a UserError", async () => {
    ec2.on(CreateLaunchTemplateCommand).rejects(awsError('InvalidLaunchTemplateName.AlreadyExistsException'));
    ec2.on(DescribeLaunchTemplatesCommand).resolves({
      LaunchTemplates: [{ LaunchTemplateId: 'lt-x', LaunchTemplateName: 'demo-backend', Tags: [] }],
    });
    const c = ctx();
    await expect(launchTemplate.create(c, await launchTemplate.desired(c))).rejects.toMatchObject({
      name: 'UserError',
    });
  });

  it('a change creates a new version with the full data and makes it the default', async () => {
    ec2.on(DescribeLaunchTemplatesCommand).resolves({
      LaunchTemplates: [
        {
          LaunchTemplateId: 'lt-1',
          LaunchTemplateName: 'demo-backend',
          DefaultVersionNumber: 1,
          LatestVersionNumber: 1,
          Tags: [
            { Key: 'tekamolo:stack', Value: 'demo' },
            { Key: 'tekamolo:resource', Value: 'launchTemplate' },
          ],
        },
      ],
    });
    ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({
      LaunchTemplateVersions: [
        {
          VersionNumber: 1,
          LaunchTemplateData: {
            ImageId: AMI,
            InstanceType: 't3.small',
            SecurityGroupIds: ['sg-i'],
            MetadataOptions: { HttpTokens: 'optional', HttpPutResponseHopLimit: 2 },
            BlockDeviceMappings: [
              { DeviceName: '/dev/xvda', Ebs: { VolumeType: 'gp3', Encrypted: true, VolumeSize: 8 } },
            ],
          },
        },
      ],
    });
    ec2.on(CreateLaunchTemplateVersionCommand).resolves({ LaunchTemplateVersion: { VersionNumber: 2 } });
    ec2.on(ModifyLaunchTemplateCommand).resolves({});
    const c = ctx({ id: 'lt-1' });
    const found = await launchTemplate.find(c);
    const desired = await launchTemplate.desired(c);
    const changes = launchTemplate.diff(desired, found!);
    expect(changes.map((ch) => [ch.field, ch.from, ch.to, ch.action])).toEqual([
      ['httpTokens', 'optional', 'required', 'update'],
    ]);
    const updated = await launchTemplate.update(c, desired, found!, changes);
    const input = ec2.commandCalls(CreateLaunchTemplateVersionCommand)[0]?.args[0].input;
    expect(input?.LaunchTemplateData?.ImageId).toBe(AMI);
    expect(input?.LaunchTemplateData?.MetadataOptions?.HttpTokens).toBe('required');
    expect(input?.LaunchTemplateData?.BlockDeviceMappings).toHaveLength(1);
    expect(ec2.commandCalls(ModifyLaunchTemplateCommand)[0]?.args[0].input.DefaultVersion).toBe('2');
    expect(launchTemplate.outputs(updated)).toEqual({ id: 'lt-1', name: 'demo-backend', version: 2 });
    expect(c.recorded.version).toBe(2);
    expect(c.recorded.image).toEqual({ imageId: AMI, name: '/dev/xvda', size: 8 });
  });

  it('a change hands the version to dependents as unknown in plan: the field its type declares so', () => {
    expectTypeOf<LaunchTemplateOutputs['version']>().toEqualTypeOf<number | Unknown>();
    const changedBy = (field: string) =>
      launchTemplate.outputsChangedBy?.([{ field, from: 'a', to: 'b', action: 'update' }]);
    expect(changedBy('userData')).toEqual(['version']);
    expect(changedBy('tags')).toEqual([]);
  });

  describe('with the instance profile (backend.sessionManager)', () => {
    const PROFILE = 'arn:aws:iam::123456789012:instance-profile/demo-instances';
    const withRole = (profileArn: string | Unknown = PROFILE) =>
      testContext({
        key: 'launchTemplate',
        outputs: { ...OUTPUTS, instanceRole: isUnknown(profileArn) ? unknown : { profileArn } },
        config: testConfig({ backend: { sessionManager: true } }),
      });
    const template = (profile: { Arn?: string; Name?: string } | undefined) => {
      ec2.on(DescribeLaunchTemplatesCommand).resolves({
        LaunchTemplates: [
          {
            LaunchTemplateId: 'lt-1',
            LaunchTemplateName: 'demo-backend',
            DefaultVersionNumber: 1,
            Tags: [
              { Key: 'tekamolo:stack', Value: 'demo' },
              { Key: 'tekamolo:resource', Value: 'launchTemplate' },
            ],
          },
        ],
      });
      ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({
        LaunchTemplateVersions: [
          {
            VersionNumber: 1,
            LaunchTemplateData: {
              ImageId: AMI,
              InstanceType: 't3.small',
              SecurityGroupIds: ['sg-i'],
              ...(profile ? { IamInstanceProfile: profile } : {}),
              MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
              BlockDeviceMappings: [
                { DeviceName: '/dev/xvda', Ebs: { VolumeType: 'gp3', Encrypted: true, VolumeSize: 8 } },
              ],
            },
          },
        ],
      });
    };

    it('the template names the profile by ARN', async () => {
      ec2.on(CreateLaunchTemplateCommand).resolves({
        LaunchTemplate: { LaunchTemplateId: 'lt-1', DefaultVersionNumber: 1 },
      });
      const c = withRole();
      const desired = await launchTemplate.desired(c);
      expect(desired.data.instanceProfile).toBe(PROFILE);
      await launchTemplate.create(c, desired);
      const input = ec2.commandCalls(CreateLaunchTemplateCommand)[0]?.args[0].input;
      expect(input?.LaunchTemplateData?.IamInstanceProfile).toEqual({ Arn: PROFILE });
    });

    it('a missing or other profile is drift; one not known yet is drift only where the template has none', async () => {
      const c = withRole();
      const desired = await launchTemplate.desired(c);
      for (const [read, shownAs] of [
        [undefined, ''],
        [{ Name: 'someone-elses' }, 'someone-elses'],
        [{ Arn: `${PROFILE}-old` }, `${PROFILE}-old`],
      ] as const) {
        template(read);
        const found = await launchTemplate.find(c);
        expect(launchTemplate.diff(desired, found!).map((ch) => [ch.field, ch.from, ch.to])).toEqual([
          ['instanceProfile', shownAs, PROFILE],
        ]);
      }
      template({ Arn: PROFILE });
      expect(launchTemplate.diff(desired, (await launchTemplate.find(c))!)).toEqual([]);
      const planned = await launchTemplate.desired(withRole(unknown));
      expect(launchTemplate.diff(planned, (await launchTemplate.find(c))!)).toEqual([]);
      template(undefined);
      const changes = launchTemplate.diff(planned, (await launchTemplate.find(c))!);
      expect(changes.map((ch) => [ch.field, ch.from, ch.to])).toEqual([
        ['instanceProfile', '', '(known after up)'],
      ]);
      expect(launchTemplate.outputsChangedBy?.(changes)).toEqual(['version']);
    });

    it('a new version is retried while IAM propagates the new profile, and only then', async () => {
      template(undefined);
      const notYet = awsError(
        'InvalidParameterValue',
        `Value (${PROFILE}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`,
      );
      ec2
        .on(CreateLaunchTemplateVersionCommand)
        .rejectsOnce(notYet)
        .rejectsOnce(notYet)
        .resolves({ LaunchTemplateVersion: { VersionNumber: 2 } });
      ec2.on(ModifyLaunchTemplateCommand).resolves({});
      const c = withRole();
      const found = await launchTemplate.find(c);
      const desired = await launchTemplate.desired(c);
      const updated = await launchTemplate.update(c, desired, found!, launchTemplate.diff(desired, found!));
      expect(updated.defaultVersion).toBe(2);
      expect(ec2.commandCalls(CreateLaunchTemplateVersionCommand)).toHaveLength(3);
      expect(c.messages.filter((m) => m.includes('IAM propagation'))).toHaveLength(2);

      ec2
        .on(CreateLaunchTemplateVersionCommand)
        .rejects(awsError('InvalidParameterValue', 'Invalid InstanceType'));
      await expect(
        launchTemplate.update(c, desired, found!, launchTemplate.diff(desired, found!)),
      ).rejects.toThrow('Invalid InstanceType');
      expect(ec2.commandCalls(CreateLaunchTemplateVersionCommand)).toHaveLength(4);
    });
  });

  it('delete removes the template; already gone is success; a foreign one is left alone', async () => {
    ec2.on(DeleteLaunchTemplateCommand).rejects(awsError('InvalidLaunchTemplateId.NotFound'));
    const actual: ActualLaunchTemplate = {
      id: 'lt-1',
      name: 'demo-backend',
      defaultVersion: 1,
      latestVersion: 1,
      data: {},
    };
    await expect(launchTemplate.delete(ctx(), actual)).resolves.toBeUndefined();
    ec2.resetHistory();
    await launchTemplate.delete(ctx(), { ...actual, foreign: 'not ours' });
    expect(ec2.commandCalls(DeleteLaunchTemplateCommand)).toHaveLength(0);
  });
});
