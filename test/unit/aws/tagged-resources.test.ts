import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeAddressesCommand, DescribeLaunchTemplatesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Aws } from '../../../src/aws/clients.js';
import { parseArn, readTagged } from '../../../src/aws/tagged-resources.js';
import { Tracer } from '../../../src/aws/trace.js';

const TAG = { key: 'tekamolo:stack', value: 'demo' };
const STACK_TAGS = [
  { Key: 'tekamolo:stack', Value: 'demo' },
  { Key: 'tekamolo:resource', Value: 'targetGroup' },
];
const TG = 'arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/demo-tg-8080/1';

describe('tagged resources', () => {
  const tagging = mockClient(ResourceGroupsTaggingAPIClient);
  const ec2 = mockClient(EC2Client);
  const autoscaling = mockClient(AutoScalingClient);
  let aws: Aws;

  beforeEach(() => {
    aws = new Aws({ region: 'eu-central-1', tracer: new Tracer(), maxAttempts: 1 });
    ec2.on(DescribeLaunchTemplatesCommand).resolves({});
    ec2.on(DescribeAddressesCommand).resolves({});
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({});
  });
  afterEach(() => {
    for (const m of [tagging, ec2, autoscaling]) m.reset();
    aws.destroy();
  });

  it('reads the type and the id each service uses from an ARN', () => {
    expect(parseArn(TG)).toEqual({ type: 'elasticloadbalancing:targetgroup', id: TG });
    expect(parseArn('arn:aws:ec2:eu-central-1:1:security-group/sg-1')).toEqual({
      type: 'ec2:security-group',
      id: 'sg-1',
    });
    expect(parseArn('arn:aws:cloudfront::1:distribution/E2')).toEqual({
      type: 'cloudfront:distribution',
      id: 'E2',
    });
    expect(parseArn('arn:aws:s3:::demo-site')).toEqual({ type: 's3:', id: 'demo-site' });
    expect(
      parseArn('arn:aws:autoscaling:eu-central-1:1:autoScalingGroup:u-1:autoScalingGroupName/demo-backend'),
    ).toEqual({ type: 'autoscaling:autoScalingGroup', id: 'demo-backend' });
    expect(parseArn('not-an-arn')).toBeUndefined();
  });

  it('pages GetResources in each region, adds the kinds it may leave out from their own reads, lists each once', async () => {
    const distribution = 'arn:aws:cloudfront::123456789012:distribution/E2';
    tagging.on(GetResourcesCommand).callsFake(async (input: { PaginationToken?: string }, getClient) => {
      const region = await (getClient() as ResourceGroupsTaggingAPIClient).config.region();
      if (region === 'us-east-1')
        return { ResourceTagMappingList: [{ ResourceARN: distribution, Tags: STACK_TAGS }] };
      if (!input.PaginationToken)
        return { ResourceTagMappingList: [{ ResourceARN: TG, Tags: STACK_TAGS }], PaginationToken: 'p2' };
      return {
        ResourceTagMappingList: [
          { ResourceARN: 'arn:aws:ec2:eu-central-1:1:launch-template/lt-1', Tags: STACK_TAGS },
        ],
        PaginationToken: '',
      };
    });
    ec2.on(DescribeLaunchTemplatesCommand).resolves({
      LaunchTemplates: [{ LaunchTemplateId: 'lt-1', Tags: STACK_TAGS }],
    });
    ec2
      .on(DescribeAddressesCommand)
      .resolves({ Addresses: [{ AllocationId: 'eipalloc-1', Tags: STACK_TAGS }] });
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        { AutoScalingGroupName: 'demo-backend', Tags: STACK_TAGS } as never,
        // tag-key and tag-value match any tag each: another stack's group with a tag valued "demo".
        {
          AutoScalingGroupName: 'other-backend',
          Tags: [
            { Key: 'tekamolo:stack', Value: 'other' },
            { Key: 'team', Value: 'demo' },
          ],
        } as never,
      ],
    });

    const found = await readTagged(aws, ['eu-central-1', 'us-east-1'], TAG);
    expect(found.map((r) => [r.region, r.type, r.id])).toEqual([
      ['eu-central-1', 'elasticloadbalancing:targetgroup', TG],
      ['eu-central-1', 'ec2:launch-template', 'lt-1'],
      ['eu-central-1', 'ec2:elastic-ip', 'eipalloc-1'],
      ['eu-central-1', 'autoscaling:autoScalingGroup', 'demo-backend'],
      ['us-east-1', 'cloudfront:distribution', 'E2'],
    ]);
    expect(found[0]?.tags).toEqual({ 'tekamolo:stack': 'demo', 'tekamolo:resource': 'targetGroup' });
    expect(tagging.commandCalls(GetResourcesCommand).map((c) => c.args[0].input.TagFilters)).toEqual([
      [{ Key: 'tekamolo:stack', Values: ['demo'] }],
      [{ Key: 'tekamolo:stack', Values: ['demo'] }],
      [{ Key: 'tekamolo:stack', Values: ['demo'] }],
    ]);
    // The service reads run in the stack's region only: us-east-1 holds CloudFront and a certificate.
    expect(ec2.commandCalls(DescribeLaunchTemplatesCommand)).toHaveLength(1);
  });
});
