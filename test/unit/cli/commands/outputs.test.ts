import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudFrontClient, GetDistributionCommand } from '@aws-sdk/client-cloudfront';
import { DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run as outputs } from '../../../../src/cli/commands/outputs.js';
import { ExitCode } from '../../../../src/errors.js';
import { runCommand } from '../../../support/command.js';

const BUCKET = 'acme-site-123456789012';

/** `tekamolo outputs` in this process: the ids of a local state file, each confirmed by a mocked read. */
describe('outputs', () => {
  /** The mocked clients: the stack's four first, then EC2 (the network the cost needs), STS (the preflight) last. */
  let mocks: { calls(): readonly unknown[]; restore(): void }[];
  let cloudfront: AwsClientStub<CloudFrontClient>;
  let dir: string;
  let config: string;

  const writeState = async (resources: Record<string, Record<string, string>>) => {
    await mkdir(join(dir, '.tekamolo'), { recursive: true });
    const state = {
      version: 1,
      stack: 'acme',
      updatedAt: '2026-01-01T00:00:00.000Z',
      account: { id: '123456789012', partition: 'aws' },
      resources,
    };
    await writeFile(join(dir, '.tekamolo', 'state.json'), JSON.stringify(state));
  };

  beforeEach(async () => {
    const s3 = mockClient(S3Client);
    cloudfront = mockClient(CloudFrontClient);
    const elbv2 = mockClient(ElasticLoadBalancingV2Client);
    const autoscaling = mockClient(AutoScalingClient);
    const ec2 = mockClient(EC2Client);
    const sts = mockClient(STSClient);
    mocks = [s3, cloudfront, elbv2, autoscaling, ec2, sts];
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1', IsDefault: true }] });
    ec2.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        {
          SubnetId: 'subnet-a',
          VpcId: 'vpc-1',
          AvailabilityZone: 'eu-central-1a',
          MapPublicIpOnLaunch: true,
        },
        {
          SubnetId: 'subnet-b',
          VpcId: 'vpc-1',
          AvailabilityZone: 'eu-central-1b',
          MapPublicIpOnLaunch: true,
        },
      ],
    });
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/ci' });
    s3.on(HeadBucketCommand).resolves({});
    cloudfront
      .on(GetDistributionCommand)
      .resolves({ Distribution: { DomainName: 'd111.cloudfront.net' } as never });
    elbv2.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [{ DNSName: 'acme-alb.elb.example' }] });
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [{ Instances: [{ InstanceId: 'i-1' }] } as never],
    });
    dir = await mkdtemp(join(tmpdir(), 'tekamolo-outputs-'));
    config = join(dir, 'tekamolo.yaml');
    await writeFile(
      config,
      ['stack: acme', 'region: eu-central-1', 'domain: example.com', 'backend:', '  elasticIp: false'].join(
        '\n',
      ),
    );
    await writeState({
      bucket: { name: BUCKET },
      distribution: { id: 'E1' },
      loadBalancer: { arn: 'arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/app/acme/1' },
      autoScalingGroup: { name: 'acme-backend' },
    });
  });
  afterEach(async () => {
    for (const m of mocks) m.restore();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints one line per value on stdout, and with --json one document with ok and awsCalls', async () => {
    const plain = await runCommand(outputs, { config }, {});
    expect(plain.code, plain.stderr).toBe(ExitCode.ok);
    expect(plain.stdout).toContain(`bucket        ${BUCKET}\n`);
    expect(plain.stdout).toContain('cloudfront    https://d111.cloudfront.net/ (E1)\n');
    expect(plain.stdout).toContain('elastic ip    -\n');

    const json = await runCommand(outputs, { config, json: true }, {});
    expect(json.code, json.stderr).toBe(ExitCode.ok);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: true,
      bucket: BUCKET,
      instances: ['i-1'],
      missing: [],
      cost: { estimate: true, region: 'eu-central-1' },
      awsCalls: { total: expect.any(Number), changing: 0 },
    });
  });

  it('a value the state names but AWS no longer has: exit 1, named on stderr, never printed', async () => {
    cloudfront
      .on(GetDistributionCommand)
      .rejects(Object.assign(new Error('gone'), { name: 'NoSuchDistribution' }));
    const run = await runCommand(outputs, { config }, {});
    expect(run.code).toBe(ExitCode.failure);
    expect(run.stdout).toContain('cloudfront    -\n');
    expect(run.stderr).toContain('not found in AWS: distribution;');
  });

  it("without a state file says so, after no read of the stack's resources: only the preflight and the network the cost needs", async () => {
    await rm(join(dir, '.tekamolo'), { recursive: true });
    const run = await runCommand(outputs, { config }, {});
    expect(run.code).toBe(ExitCode.failure);
    expect(run.stderr).toContain(`(no state file at ${join(dir, '.tekamolo', 'state.json')})`);
    expect(mocks.slice(0, 4).map((m) => m.calls().length)).toEqual([0, 0, 0, 0]);
  });
});
