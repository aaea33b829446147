import { DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { network } from '../../../../src/resources/ec2/network.js';
import { testConfig, testContext } from '../../../support/context.js';

function subnet(id: string, zone: string) {
  return { SubnetId: id, AvailabilityZone: zone, VpcId: 'vpc-1' };
}

describe('network', () => {
  let ec2: AwsClientStub<EC2Client>;

  beforeEach(() => {
    ec2 = mockClient(EC2Client);
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1', IsDefault: true }] });
  });
  afterEach(() => {
    ec2.reset();
    ec2.restore();
  });

  it('uses the default VPC and its default-for-az subnets, one list sorted by zone', async () => {
    ec2.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        subnet('subnet-c', 'eu-central-1c'),
        subnet('subnet-a', 'eu-central-1a'),
        subnet('subnet-b', 'eu-central-1b'),
      ],
    });
    const ctx = testContext({ key: 'network' });
    const actual = await network.find(ctx);
    expect(network.outputs(actual!)).toEqual({
      vpcId: 'vpc-1',
      subnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
    });
    expect(ec2.commandCalls(DescribeVpcsCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: 'isDefault', Values: ['true'] },
    ]);
    expect(ec2.commandCalls(DescribeSubnetsCommand)[0]?.args[0].input.Filters).toContainEqual({
      Name: 'default-for-az',
      Values: ['true'],
    });
    expect(network.diff(await network.desired(ctx), actual!)).toEqual([]);
  });

  it('uses the configured VPC and subnets', async () => {
    ec2.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        subnet('subnet-0123456789abcdef2', 'eu-central-1b'),
        subnet('subnet-0123456789abcdef1', 'eu-central-1a'),
      ],
    });
    const config = testConfig({
      backend: {
        vpcId: 'vpc-0123456789abcdef9',
        subnetIds: ['subnet-0123456789abcdef1', 'subnet-0123456789abcdef2'],
      },
    });
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-0123456789abcdef9' }] });
    const actual = await network.find(testContext({ key: 'network', config }));
    expect(ec2.commandCalls(DescribeVpcsCommand)[0]?.args[0].input.VpcIds).toEqual(['vpc-0123456789abcdef9']);
    expect(ec2.commandCalls(DescribeSubnetsCommand)[0]?.args[0].input.SubnetIds).toEqual([
      'subnet-0123456789abcdef1',
      'subnet-0123456789abcdef2',
    ]);
    expect(actual?.subnets.map((s) => s.id)).toEqual([
      'subnet-0123456789abcdef1',
      'subnet-0123456789abcdef2',
    ]);
  });

  it('fewer than two Availability Zones is a UserError that says what to do', async () => {
    ec2.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        subnet('subnet-0123456789abcdef1', 'eu-central-1a'),
        subnet('subnet-0123456789abcdef2', 'eu-central-1a'),
      ],
    });
    await expect(network.find(testContext({ key: 'network' }))).rejects.toMatchObject({
      name: 'UserError',
      message: expect.stringMatching(/at least 2 Availability Zones.*eu-central-1a/),
      hint: expect.stringContaining('backend.subnetIds'),
    });
  });

  it('two configured subnets in one Availability Zone are a UserError (an ALB takes one per zone)', async () => {
    ec2.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        subnet('subnet-0123456789abcdef1', 'eu-central-1a'),
        subnet('subnet-0123456789abcdef2', 'eu-central-1a'),
        subnet('subnet-0123456789abcdef3', 'eu-central-1b'),
      ],
    });
    const config = testConfig({
      backend: {
        subnetIds: ['subnet-0123456789abcdef1', 'subnet-0123456789abcdef2', 'subnet-0123456789abcdef3'],
      },
    });
    await expect(network.find(testContext({ key: 'network', config }))).rejects.toMatchObject({
      name: 'UserError',
      message: expect.stringContaining('more than one subnet in eu-central-1a'),
    });
  });

  it('a configured subnet that is not in the VPC is a UserError naming it', async () => {
    ec2
      .on(DescribeSubnetsCommand)
      .resolves({ Subnets: [subnet('subnet-0123456789abcdef1', 'eu-central-1a')] });
    const config = testConfig({
      backend: { subnetIds: ['subnet-0123456789abcdef1', 'subnet-0123456789abcdeff'] },
    });
    await expect(network.find(testContext({ key: 'network', config }))).rejects.toMatchObject({
      name: 'UserError',
      message: expect.stringContaining('subnet-0123456789abcdeff'),
    });
  });

  it('no default VPC: find gives undefined and create (it is read-only) says how to fix it', async () => {
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    const ctx = testContext({ key: 'network' });
    expect(await network.find(ctx)).toBeUndefined();
    expect(network.readOnly).toBe(true);
    await expect(network.create(ctx, await network.desired(ctx))).rejects.toMatchObject({
      name: 'UserError',
      hint: expect.stringContaining('create-default-vpc'),
    });
  });
});
