import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudFrontClient, GetDistributionCommand } from '@aws-sdk/client-cloudfront';
import { DescribeAddressesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Aws } from '../../../src/aws/clients.js';
import { Tracer } from '../../../src/aws/trace.js';
import { deriveNames } from '../../../src/config/names.js';
import type { Config } from '../../../src/config/schema.js';
import { readOutputs } from '../../../src/outputs/read.js';
import type { ResourceState } from '../../../src/state/types.js';
import { testConfig } from '../../support/context.js';

function awsError(name: string): Error {
  return Object.assign(new Error(name), { name });
}

const SAVED: Record<string, ResourceState> = {
  bucket: { name: 'demo-site-123456789012' },
  distribution: { id: 'E2QWRUHEXAMPLE', domainName: 'd-old.cloudfront.net' },
  loadBalancer: { arn: 'arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/app/demo-alb/1' },
  elasticIp: { allocationId: 'eipalloc-1' },
  autoScalingGroup: { name: 'demo-backend' },
};

describe('readOutputs', () => {
  const s3 = mockClient(S3Client);
  const cloudfront = mockClient(CloudFrontClient);
  const elbv2 = mockClient(ElasticLoadBalancingV2Client);
  const ec2 = mockClient(EC2Client);
  const autoscaling = mockClient(AutoScalingClient);
  const mocks = [s3, cloudfront, elbv2, ec2, autoscaling];

  beforeEach(() => {
    for (const m of mocks) m.reset();
    s3.on(HeadBucketCommand).resolves({});
    cloudfront
      .on(GetDistributionCommand)
      .resolves({ Distribution: { DomainName: 'd111.cloudfront.net' } as never });
    elbv2
      .on(DescribeLoadBalancersCommand)
      .resolves({ LoadBalancers: [{ DNSName: 'demo-alb-1.elb.example' }] });
    ec2.on(DescribeAddressesCommand).resolves({ Addresses: [{ PublicIp: '198.51.100.7' }] });
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [{ Instances: [{ InstanceId: 'i-1' }, { InstanceId: 'i-2' }] } as never],
    });
  });
  afterEach(() => {
    for (const m of mocks) m.reset();
  });

  function read(saved: Record<string, ResourceState>, config: Config = testConfig(), stage?: string) {
    const aws = new Aws({ region: config.region, tracer: new Tracer(), maxAttempts: 1 });
    return readOutputs({
      aws,
      config,
      names: deriveNames(config),
      accountId: '123456789012',
      ...(stage && { stage }),
      saved: (k) => saved[k],
    });
  }

  it('gives the values AWS answers for the ids in the state, with one read per value', async () => {
    const outputs = await read(SAVED);
    expect(outputs).toEqual({
      stack: 'demo',
      stage: null,
      account: '123456789012',
      region: 'eu-central-1',
      urls: {
        site: ['https://example.com/', 'https://www.example.com/'],
        api: 'https://example.com/api/',
        cloudfront: 'https://d111.cloudfront.net/',
      },
      bucket: 'demo-site-123456789012',
      distribution: { id: 'E2QWRUHEXAMPLE', domainName: 'd111.cloudfront.net' },
      loadBalancer: { dnsName: 'demo-alb-1.elb.example' },
      elasticIp: '198.51.100.7',
      instances: ['i-1', 'i-2'],
      missing: [],
    });
    for (const m of mocks) expect(m.calls()).toHaveLength(1);
    expect(ec2.commandCalls(DescribeAddressesCommand)[0]?.args[0].input).toEqual({
      AllocationIds: ['eipalloc-1'],
    });
  });

  it('names the stage the config was loaded for', async () => {
    const outputs = await read(SAVED, testConfig({ stack: 'demo-staging' }), 'staging');
    expect(outputs).toMatchObject({ stack: 'demo-staging', stage: 'staging' });
  });

  it('reports what the state names but AWS no longer has as missing, never the saved value', async () => {
    cloudfront.on(GetDistributionCommand).rejects(awsError('NoSuchDistribution'));
    ec2.on(DescribeAddressesCommand).rejects(awsError('InvalidAllocationID.NotFound'));
    const outputs = await read(SAVED);
    expect(outputs.distribution).toBeNull();
    expect(outputs.urls.cloudfront).toBeNull();
    expect(outputs.elasticIp).toBeNull();
    expect(outputs.bucket).toBe('demo-site-123456789012');
    expect(outputs.missing).toEqual(['distribution', 'elasticIp']);
  });

  it('without a state makes no AWS call and names everything missing', async () => {
    const outputs = await read({});
    expect(outputs.missing).toEqual([
      'bucket',
      'distribution',
      'loadBalancer',
      'elasticIp',
      'autoScalingGroup',
    ]);
    for (const m of mocks) expect(m.calls()).toHaveLength(0);
  });

  it('does not ask for an Elastic IP when the config has none', async () => {
    const outputs = await read(SAVED, testConfig({ backend: { elasticIp: false } }));
    expect(outputs.elasticIp).toBeNull();
    expect(outputs.missing).toEqual([]);
    expect(ec2.calls()).toHaveLength(0);
  });

  it('throws what is not a not-found (access denied is not "missing")', async () => {
    s3.on(HeadBucketCommand).rejects(awsError('AccessDenied'));
    await expect(read(SAVED)).rejects.toThrow('AccessDenied');
  });
});
