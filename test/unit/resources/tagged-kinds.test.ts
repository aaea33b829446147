import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { parseArn } from '../../../src/aws/tagged-resources.js';
import { albSecurityGroup } from '../../../src/resources/ec2/security-group.js';
import { targetGroup } from '../../../src/resources/elbv2/target-group.js';
import { stack } from '../../../src/resources/index.js';
import { taggedKinds } from '../../../src/resources/tagged-kinds.js';
import { testContext } from '../../support/context.js';

const OLD = 'arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/demo-tg-8080/1';
const NEW = 'arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/demo-tg-8081/2';
const TAGS = [
  { Key: 'tekamolo:stack', Value: 'demo' },
  { Key: 'tekamolo:resource', Value: 'targetGroup' },
];

/**
 * The kinds a leftover can be: each entry's state makes its handler's `find` read that very resource,
 * whose id is the one the Tagging API's ARN gives.
 */
describe('tagged kinds', () => {
  const elbv2 = mockClient(ElasticLoadBalancingV2Client);
  const ec2 = mockClient(EC2Client);
  afterEach(() => {
    elbv2.reset();
    ec2.reset();
  });

  it('name only kinds of the stack that tekamolo deletes', () => {
    const deletable = new Set(stack.filter((r) => !r.readOnly).map((r) => r.key));
    for (const key of Object.keys(taggedKinds)) expect(deletable.has(key), key).toBe(true);
  });

  it('a target group is found by the ARN the index lists, and that ARN is its id', async () => {
    elbv2
      .on(DescribeTargetGroupsCommand, { TargetGroupArns: [OLD] })
      .resolves({ TargetGroups: [{ TargetGroupArn: OLD, TargetGroupName: 'demo-tg-8080', Port: 8080 }] });
    elbv2.on(DescribeTagsCommand).resolves({ TagDescriptions: [{ ResourceArn: OLD, Tags: TAGS }] });
    const listed = parseArn(OLD);
    const kind = taggedKinds.targetGroup;
    expect(listed?.type).toBe(kind?.type);
    const found = await targetGroup.find(
      testContext({ key: 'targetGroup', saved: kind?.saved(listed?.id ?? '', 'eu-central-1') }),
    );
    expect(found?.id).toBe(listed?.id);
  });

  it('an old target group already deleted gives the wanted one by name: a different id, so no leftover', async () => {
    elbv2
      .on(DescribeTargetGroupsCommand, { TargetGroupArns: [OLD] })
      .rejects(Object.assign(new Error('gone'), { name: 'TargetGroupNotFoundException' }));
    elbv2
      .on(DescribeTargetGroupsCommand)
      .resolves({ TargetGroups: [{ TargetGroupArn: NEW, TargetGroupName: 'demo-tg-8080', Port: 8080 }] });
    elbv2.on(DescribeTagsCommand).resolves({ TagDescriptions: [{ ResourceArn: NEW, Tags: TAGS }] });
    const found = await targetGroup.find(
      testContext({ key: 'targetGroup', saved: taggedKinds.targetGroup?.saved(OLD, 'eu-central-1') }),
    );
    expect(found?.id).toBe(NEW);
  });

  it('a security group is found by the group id the ARN ends with', async () => {
    const arn = 'arn:aws:ec2:eu-central-1:123456789012:security-group/sg-old';
    ec2.on(DescribeSecurityGroupsCommand, { GroupIds: ['sg-old'] }).resolves({
      SecurityGroups: [{ GroupId: 'sg-old', GroupName: 'demo-alb', VpcId: 'vpc-1', Tags: TAGS }],
    });
    const listed = parseArn(arn);
    const kind = taggedKinds['sg.alb'];
    expect(listed?.type).toBe(kind?.type);
    const found = await albSecurityGroup.find(
      testContext({ key: 'sg.alb', saved: kind?.saved(listed?.id ?? '', 'eu-central-1') }),
    );
    expect(found?.id).toBe('sg-old');
  });
});
