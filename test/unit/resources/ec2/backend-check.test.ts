import {
  DescribeImagesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeKeyPairsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Aws } from '../../../../src/aws/clients.js';
import { Tracer } from '../../../../src/aws/trace.js';
import type { ConfigInput } from '../../../../src/config/schema.js';
import { checkBackend } from '../../../../src/resources/ec2/backend-check.js';
import { testConfig } from '../../../support/context.js';

const awsError = (name: string) => Object.assign(new Error(name), { name });

const AMI = 'ami-0123456789abcdef0';
const SUBNET_A = 'subnet-0123456789abcdef1';
const SUBNET_B = 'subnet-0123456789abcdef2';
const zones = ['eu-central-1a', 'eu-central-1b'];

/** The backend check: each problem at its config field, found with reads only. */
describe('checkBackend', () => {
  const ec2 = mockClient(EC2Client);
  const ssm = mockClient(SSMClient);

  beforeEach(() => {
    ec2.reset();
    ssm.reset();
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1' }] });
    ec2.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        { SubnetId: SUBNET_A, VpcId: 'vpc-1', AvailabilityZone: zones[0], MapPublicIpOnLaunch: true },
        { SubnetId: SUBNET_B, VpcId: 'vpc-1', AvailabilityZone: zones[1], MapPublicIpOnLaunch: true },
      ],
    });
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: AMI } });
    ec2.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: AMI }] });
    ec2.on(DescribeInstanceTypeOfferingsCommand).resolves({
      InstanceTypeOfferings: zones.map((Location) => ({ InstanceType: 't3.small', Location })),
    });
    ec2.on(DescribeKeyPairsCommand).resolves({ KeyPairs: [{ KeyName: 'ops' }] });
  });
  afterEach(() => {
    ec2.reset();
    ssm.reset();
  });

  function check(overrides: Partial<ConfigInput['backend']> = {}) {
    const config = testConfig({ backend: { sshCidrs: [], ...overrides } });
    return checkBackend(new Aws({ region: config.region, tracer: new Tracer(), maxAttempts: 1 }), config);
  }
  const messages = async (overrides: Partial<ConfigInput['backend']> = {}) =>
    (await check(overrides)).problems.map((p) => [p.path.join('.'), p.message]);

  it('finds nothing wrong, and reports the zones and public addressing of the default subnets', async () => {
    expect(await check({ keyName: 'ops' })).toEqual({
      problems: [],
      subnets: { zones, publicIpOnLaunch: true },
    });
    expect(ec2.commandCalls(DescribeInstanceTypeOfferingsCommand)[0]?.args[0].input).toEqual({
      LocationType: 'availability-zone',
      Filters: [
        { Name: 'instance-type', Values: ['t3.small'] },
        { Name: 'location', Values: zones },
      ],
    });
    const ssmName = ssm.commandCalls(GetParameterCommand)[0]?.args[0].input.Name;
    expect(ssmName).toBe('/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64');
    expect(ec2.commandCalls(DescribeImagesCommand)[0]?.args[0].input.ImageIds).toEqual([AMI]);
  });

  it('an AMI id the region does not have', async () => {
    ec2.on(DescribeImagesCommand).rejects(awsError('InvalidAMIID.NotFound'));
    expect(await messages({ ami: AMI })).toEqual([
      [
        'backend.ami',
        `AMI ${AMI} was not found in eu-central-1: AMI ids are regional; use an id of eu-central-1, or an ssm: parameter that follows the latest image`,
      ],
    ]);
    expect(ssm.calls()).toHaveLength(0);
  });

  it('an SSM parameter that does not exist', async () => {
    ssm.on(GetParameterCommand).rejects(awsError('ParameterNotFound'));
    const [found] = await messages({ ami: 'ssm:/no/such/parameter' });
    expect(found?.[0]).toBe('backend.ami');
    expect(found?.[1]).toContain('SSM parameter /no/such/parameter does not exist in eu-central-1');
    expect(ec2.commandCalls(DescribeImagesCommand)).toHaveLength(0);
  });

  it('an SSM parameter whose image is gone names both', async () => {
    ec2.on(DescribeImagesCommand).resolves({ Images: [] });
    const [found] = await messages({ ami: 'ssm:/team/ami' });
    expect(found?.[1]).toContain(`AMI ${AMI} (from ssm:/team/ami) was not found in eu-central-1`);
  });

  it('an instance type the region does not offer', async () => {
    ec2.on(DescribeInstanceTypeOfferingsCommand).resolves({ InstanceTypeOfferings: [] });
    const [found] = await messages({ instanceType: 'p5.48xlarge' });
    expect(found?.[0]).toBe('backend.instanceType');
    expect(found?.[1]).toContain('instance type p5.48xlarge is not offered in eu-central-1');
  });

  it('an instance type missing in one zone of the subnets names that zone', async () => {
    ec2.on(DescribeInstanceTypeOfferingsCommand).resolves({
      InstanceTypeOfferings: [{ InstanceType: 't3.small', Location: zones[0] }],
    });
    const [found] = await messages();
    expect(found?.[1]).toContain('instance type t3.small is not offered in eu-central-1b, where the');
  });

  it('a key pair that does not exist', async () => {
    ec2.on(DescribeKeyPairsCommand).resolves({ KeyPairs: [] });
    const [found] = await messages({ keyName: 'ops' });
    expect(found?.[0]).toBe('backend.keyName');
    expect(found?.[1]).toContain('key pair ops does not exist in eu-central-1');
    expect(ec2.commandCalls(DescribeKeyPairsCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: 'key-name', Values: ['ops'] },
    ]);
  });

  it('no key pair configured: none is looked up', async () => {
    await check();
    expect(ec2.commandCalls(DescribeKeyPairsCommand)).toHaveLength(0);
  });

  it('a configured VPC that does not exist; the instance type is then checked in the region', async () => {
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    const result = await check({ vpcId: 'vpc-0123456789abcdef0', subnetIds: [SUBNET_A, SUBNET_B] });
    expect(result.problems.map((p) => p.path.join('.'))).toEqual(['backend.vpcId']);
    expect(result.problems[0]?.message).toContain('VPC vpc-0123456789abcdef0 was not found in eu-central-1');
    expect(result.subnets).toBeUndefined();
    expect(ec2.commandCalls(DescribeInstanceTypeOfferingsCommand)[0]?.args[0].input.LocationType).toBe(
      'region',
    );
  });

  it('no default VPC points at backend.vpcId and says how to make one', async () => {
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    const [found] = (await check()).problems;
    expect(found).toMatchObject({ path: ['backend', 'vpcId'], anchor: 'parent' });
    expect(found?.message).toContain('eu-central-1 has no default VPC');
    expect(found?.message).toContain('aws ec2 create-default-vpc --region eu-central-1');
  });

  it('a configured subnet that is missing, and one of another VPC, each at its place in the list', async () => {
    const other = 'subnet-0123456789abcdef3';
    const missing = 'subnet-0123456789abcdef4';
    ec2.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        { SubnetId: SUBNET_A, VpcId: 'vpc-1', AvailabilityZone: zones[0] },
        { SubnetId: other, VpcId: 'vpc-2', AvailabilityZone: zones[1] },
      ],
    });
    expect(await messages({ vpcId: 'vpc-0123456789abcdef0', subnetIds: [SUBNET_A, missing, other] })).toEqual(
      [
        ['backend.subnetIds.1', `subnet ${missing} was not found in eu-central-1`],
        ['backend.subnetIds.2', `subnet ${other} is in vpc-2, not in the stack's VPC vpc-1`],
      ],
    );
    expect(ec2.commandCalls(DescribeSubnetsCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: 'subnet-id', Values: [SUBNET_A, missing, other] },
    ]);
  });

  it('configured subnets that give no public address: instances then have none', async () => {
    ec2.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        { SubnetId: SUBNET_A, VpcId: 'vpc-1', AvailabilityZone: zones[0], MapPublicIpOnLaunch: false },
        { SubnetId: SUBNET_B, VpcId: 'vpc-1', AvailabilityZone: zones[1], MapPublicIpOnLaunch: true },
      ],
    });
    const result = await check({ vpcId: 'vpc-0123456789abcdef0', subnetIds: [SUBNET_A, SUBNET_B] });
    expect(result).toEqual({ problems: [], subnets: { zones, publicIpOnLaunch: false } });
  });

  it('an AWS error other than not-found is thrown, not reported as a problem', async () => {
    ec2.on(DescribeImagesCommand).rejects(awsError('UnauthorizedOperation'));
    await expect(check({ ami: AMI })).rejects.toThrow('UnauthorizedOperation');
  });
});
