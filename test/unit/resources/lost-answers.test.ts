// A create whose answer was lost is retried (by the SDK or by the next run) after AWS carried it out:
// the retry meets its own work. Each case answers the retry as AWS documents it.

import {
  AutoScalingClient,
  CancelInstanceRefreshCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  StartInstanceRefreshCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CloudFrontClient,
  CloudFrontServiceException,
  CreateDistributionWithTagsCommand,
  CreateOriginAccessControlCommand,
  GetDistributionCommand,
  ListDistributionsCommand,
  ListOriginAccessControlsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-cloudfront';
import {
  AllocateAddressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeAddressesCommand,
  DescribeManagedPrefixListsCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  ReleaseAddressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateRuleCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ChangeResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { autoScalingGroup } from '../../../src/resources/autoscaling/auto-scaling-group.js';
import { startRefresh } from '../../../src/resources/autoscaling/instance-refresh.js';
import { distribution } from '../../../src/resources/cloudfront/distribution.js';
import { applySettings, knownSettings } from '../../../src/resources/cloudfront/distribution-settings.js';
import { originAccessControl } from '../../../src/resources/cloudfront/origin-access-control.js';
import { elasticIp } from '../../../src/resources/ec2/elastic-ip.js';
import { instanceSecurityGroup } from '../../../src/resources/ec2/security-group.js';
import { revokeRules } from '../../../src/resources/ec2/security-group-rules.js';
import { listener } from '../../../src/resources/elbv2/listener.js';
import { changeRecords, deletion, upsert } from '../../../src/resources/route53/records.js';
import { testContext } from '../../support/context.js';
import { fakeZone } from '../../support/fake-route53.js';

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

const ec2 = mockClient(EC2Client);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const cf = mockClient(CloudFrontClient);
const route53 = mockClient(Route53Client);
const autoscaling = mockClient(AutoScalingClient);

afterEach(() => {
  ec2.reset();
  elbv2.reset();
  cf.reset();
  route53.reset();
  autoscaling.reset();
});

describe('a retry after a lost answer meets its own work', () => {
  it('AuthorizeSecurityGroupIngress: InvalidPermission.Duplicate for rules now present is success', async () => {
    ec2.on(DescribeManagedPrefixListsCommand).resolves({ PrefixLists: [] });
    ec2.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-new' });
    const added = [
      { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, UserIdGroupPairs: [{ GroupId: 'sg-alb' }] },
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '203.0.113.10/32' }] },
    ];
    ec2
      .on(DescribeSecurityGroupsCommand)
      .resolvesOnce({ SecurityGroups: [{ GroupId: 'sg-new', IpPermissions: [] }] })
      .resolves({ SecurityGroups: [{ GroupId: 'sg-new', IpPermissions: added }] });
    ec2
      .on(AuthorizeSecurityGroupIngressCommand)
      .rejects(awsError('InvalidPermission.Duplicate', 'the specified rule already exists'));
    const ctx = testContext({
      key: 'sg.instances',
      outputs: { network: { vpcId: 'vpc-1' }, 'sg.alb': { groupId: 'sg-alb' } },
    });
    const actual = await instanceSecurityGroup.create(ctx, await instanceSecurityGroup.desired(ctx));
    expect(actual.ingress).toEqual(['tcp:22:203.0.113.10/32', 'tcp:8080:sg-alb']);
    expect(ec2.commandCalls(AuthorizeSecurityGroupIngressCommand)).toHaveLength(1);
  });

  it('AuthorizeSecurityGroupIngress: on Duplicate, only the rules still missing are added', async () => {
    ec2.on(DescribeManagedPrefixListsCommand).resolves({ PrefixLists: [] });
    ec2.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-new' });
    ec2
      .on(DescribeSecurityGroupsCommand)
      .resolvesOnce({ SecurityGroups: [{ GroupId: 'sg-new', IpPermissions: [] }] })
      .resolves({
        SecurityGroups: [
          {
            GroupId: 'sg-new',
            IpPermissions: [
              { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '203.0.113.10/32' }] },
            ],
          },
        ],
      });
    ec2
      .on(AuthorizeSecurityGroupIngressCommand)
      .rejectsOnce(awsError('InvalidPermission.Duplicate'))
      .resolves({ Return: true });
    const ctx = testContext({
      key: 'sg.instances',
      outputs: { network: { vpcId: 'vpc-1' }, 'sg.alb': { groupId: 'sg-alb' } },
    });
    await instanceSecurityGroup.create(ctx, await instanceSecurityGroup.desired(ctx));
    const second = ec2.commandCalls(AuthorizeSecurityGroupIngressCommand)[1]?.args[0].input;
    expect(second?.IpPermissions).toEqual([
      expect.objectContaining({
        FromPort: 8080,
        UserIdGroupPairs: [expect.objectContaining({ GroupId: 'sg-alb' })],
      }),
    ]);
  });

  describe('CreateRule', () => {
    const LB = 'arn:aws:elasticloadbalancing:eu-central-1:1:loadbalancer/app/demo-alb/1';
    const LISTENER = 'arn:aws:elasticloadbalancing:eu-central-1:1:listener/app/demo-alb/1/2';
    const TG = 'arn:aws:elasticloadbalancing:eu-central-1:1:targetgroup/demo-tg/3';
    const outputs = {
      loadBalancer: { arn: LB },
      targetGroup: { arn: TG },
      validation: { originCertificateArn: 'arn:aws:acm:eu-central-1:1:certificate/o' },
    };

    function ruleAtOne(secret: string, targetGroupArn = TG): Rule {
      return {
        RuleArn: `${LISTENER}/rule-1`,
        Priority: '1',
        IsDefault: false,
        Conditions: [
          { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Origin-Verify', Values: [secret] } },
        ],
        Actions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
      };
    }

    async function createWithPriorityInUse(secretOnRule: (ours: string) => string, targetGroupArn = TG) {
      const ctx = testContext({ key: 'listener', outputs });
      const desired = await listener.desired(ctx);
      elbv2.on(CreateListenerCommand).resolves({ Listeners: [{ ListenerArn: LISTENER }] });
      elbv2.on(CreateRuleCommand).rejects(awsError('PriorityInUse', 'The specified priority is in use.'));
      elbv2
        .on(DescribeRulesCommand)
        .resolves({ Rules: [ruleAtOne(secretOnRule(desired.secret), targetGroupArn)] });
      return listener.create(ctx, desired);
    }

    it('PriorityInUse with our rule (our header, our secret, our target group) there is success', async () => {
      const actual = await createWithPriorityInUse((ours) => ours);
      expect(actual.rule).toMatchObject({ arn: `${LISTENER}/rule-1`, priority: '1', targetGroupArn: TG });
      expect(elbv2.commandCalls(CreateRuleCommand)).toHaveLength(1);
    });

    it('PriorityInUse with someone else’s rule there stays an error', async () => {
      await expect(createWithPriorityInUse(() => 'another-secret')).rejects.toMatchObject({
        name: 'PriorityInUse',
      });
      await expect(createWithPriorityInUse((ours) => ours, `${TG}-other`)).rejects.toMatchObject({
        name: 'PriorityInUse',
      });
    });
  });

  describe('CreateOriginAccessControl', () => {
    function cfError(name: string): CloudFrontServiceException {
      return new CloudFrontServiceException({ name, $fault: 'client', $metadata: {}, message: name });
    }

    async function createAfterConflict(description: (ours: string) => string) {
      const ctx = testContext({ key: 'oac' });
      const desired = await originAccessControl.desired(ctx);
      const empty = { OriginAccessControlList: { Items: [], IsTruncated: false, Quantity: 0 } as never };
      const listed = {
        OriginAccessControlList: {
          Items: [
            {
              Id: 'OAC1',
              Name: desired.name,
              Description: description(desired.description),
              SigningBehavior: 'always',
              SigningProtocol: 'sigv4',
              OriginAccessControlOriginType: 's3',
            },
          ],
          IsTruncated: false,
        } as never,
      };
      // Not listed before the create (its answer is then lost), listed once the retry is refused.
      cf.on(ListOriginAccessControlsCommand).resolvesOnce(empty).resolves(listed);
      cf.on(CreateOriginAccessControlCommand).rejects(cfError('OriginAccessControlAlreadyExists'));
      const actual = await originAccessControl.create(ctx, desired);
      return { actual, ctx };
    }

    it('OriginAccessControlAlreadyExists for an OAC of our name and description adopts it', async () => {
      const { actual, ctx } = await createAfterConflict((ours) => ours);
      expect(actual.id).toBe('OAC1');
      expect(ctx.recorded.id).toBe('OAC1');
    });

    it('OriginAccessControlAlreadyExists for an OAC of another description stays a UserError', async () => {
      await expect(createAfterConflict(() => 'made by hand')).rejects.toMatchObject({ name: 'UserError' });
    });
  });

  describe('CreateDistributionWithTags', () => {
    const ID = 'E1NEW';

    function context() {
      return testContext({
        key: 'distribution',
        outputs: {
          bucket: { regionalDomainName: 'demo-site.s3.eu-central-1.amazonaws.com' },
          oac: { id: 'OAC1' },
          validation: { cdnCertificateArn: 'arn:aws:acm:us-east-1:1:certificate/cdn' },
          listener: { originHeaderName: 'X-Origin-Verify', originSecret: 's3cr3t' },
          spaFunction: { arn: 'arn:aws:cloudfront::1:function/demo-routing' },
        },
      });
    }

    it('DistributionAlreadyExists while the listing lags: ours is read by the id AWS names, no new reference', async () => {
      const ctx = context();
      const desired = await distribution.desired(ctx);
      cf.on(CreateDistributionWithTagsCommand).rejects(
        awsError(
          'DistributionAlreadyExists',
          `The caller reference that you are using to create a distribution is associated with another distribution. Already exists: ${ID}`,
        ),
      );
      // The listing does not show the distribution created a moment ago.
      cf.on(ListDistributionsCommand).resolves({
        DistributionList: { Items: [], IsTruncated: false, Marker: '', MaxItems: 100, Quantity: 0 },
      });
      cf.on(GetDistributionCommand, { Id: ID }).resolves({
        Distribution: {
          Id: ID,
          ARN: `arn:aws:cloudfront::1:distribution/${ID}`,
          DomainName: 'd1.cloudfront.net',
          Status: 'InProgress',
          DistributionConfig: applySettings(undefined, knownSettings(desired.settings), {
            callerReference: desired.callerReference,
            comment: desired.comment,
          }),
        } as never,
        ETag: 'E1',
      });
      cf.on(ListTagsForResourceCommand).resolves({
        Tags: { Items: Object.entries(desired.tags).map(([Key, Value]) => ({ Key, Value })) },
      });
      const actual = await distribution.create(ctx, desired);
      expect(actual.id).toBe(ID);
      expect(ctx.recorded.id).toBe(ID);
      const references = cf
        .commandCalls(CreateDistributionWithTagsCommand)
        .map((c) => c.args[0].input.DistributionConfigWithTags?.DistributionConfig?.CallerReference);
      expect(references).toEqual([desired.callerReference]);
    });
  });

  describe('found by the audit of every changing call', () => {
    it('CreateSecurityGroup: InvalidGroup.Duplicate while the describe by name lags adopts ours once listed', async () => {
      ec2.on(DescribeManagedPrefixListsCommand).resolves({ PrefixLists: [] });
      ec2.on(CreateSecurityGroupCommand).rejects(awsError('InvalidGroup.Duplicate'));
      const ours = {
        GroupId: 'sg-ours',
        GroupName: 'demo-instances',
        VpcId: 'vpc-1',
        Tags: [{ Key: 'tekamolo:stack', Value: 'demo' }],
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, UserIdGroupPairs: [{ GroupId: 'sg-alb' }] },
          { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '203.0.113.10/32' }] },
        ],
      };
      ec2
        .on(DescribeSecurityGroupsCommand)
        .resolvesOnce({ SecurityGroups: [] })
        .resolves({ SecurityGroups: [ours] });
      const ctx = testContext({
        key: 'sg.instances',
        outputs: { network: { vpcId: 'vpc-1' }, 'sg.alb': { groupId: 'sg-alb' } },
      });
      const actual = await instanceSecurityGroup.create(ctx, await instanceSecurityGroup.desired(ctx));
      expect(actual.id).toBe('sg-ours');
      expect(ctx.recorded.groupId).toBe('sg-ours');
      expect(ec2.commandCalls(AuthorizeSecurityGroupIngressCommand)).toHaveLength(0);
    });

    it('RevokeSecurityGroupIngress: a rule already revoked counts as revoked, the others still go', async () => {
      ec2.on(DescribeSecurityGroupRulesCommand).resolves({
        SecurityGroupRules: [
          {
            SecurityGroupRuleId: 'sgr-1',
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            CidrIpv4: '0.0.0.0/0',
          },
          {
            SecurityGroupRuleId: 'sgr-2',
            IpProtocol: 'tcp',
            FromPort: 80,
            ToPort: 80,
            CidrIpv4: '0.0.0.0/0',
          },
        ],
      });
      ec2
        .on(RevokeSecurityGroupIngressCommand)
        .rejects(awsError('InvalidSecurityGroupRuleId.NotFound'))
        .on(RevokeSecurityGroupIngressCommand, { SecurityGroupRuleIds: ['sgr-2'] })
        .resolves({ Return: true });
      await revokeRules(testContext(), 'sg-1', ['tcp:22:0.0.0.0/0', 'tcp:80:0.0.0.0/0']);
      expect(
        ec2.commandCalls(RevokeSecurityGroupIngressCommand).map((c) => c.args[0].input.SecurityGroupRuleIds),
      ).toEqual([['sgr-1', 'sgr-2'], ['sgr-1'], ['sgr-2']]);
    });

    it('ChangeResourceRecordSets: a DELETE already applied does not fail the batch; its UPSERTs are made', async () => {
      const zone = fakeZone(route53, [{ Name: 'a.example.com', Type: 'A', TTL: 60, ResourceRecords: [] }]);
      const gone = {
        Name: 'old.example.com.',
        Type: 'CNAME' as const,
        TTL: 300,
        ResourceRecords: [{ Value: 'x' }],
      };
      await changeRecords(
        route53 as never,
        'Z1',
        [deletion(gone), upsert({ name: 'new.example.com', type: 'CNAME', value: 'y' })],
        'test',
      );
      expect(zone.sets.map((r) => r.Name)).toContain('new.example.com.');
      expect(route53.commandCalls(ChangeResourceRecordSetsCommand).length).toBeGreaterThan(1);
    });

    it('AllocateAddress (no idempotency token) retried: the second address is released at once', async () => {
      ec2.on(AllocateAddressCommand).resolves({ AllocationId: 'eipalloc-2', PublicIp: '198.51.100.8' });
      ec2.on(DescribeAddressesCommand).resolves({
        Addresses: [{ AllocationId: 'eipalloc-1' }, { AllocationId: 'eipalloc-2' }],
      });
      ec2.on(ReleaseAddressCommand).resolves({});
      const ctx = testContext({ key: 'elasticIp', outputs: { autoScalingGroup: { name: 'demo-backend' } } });
      const actual = await elasticIp.create(ctx, { groupName: 'demo-backend', candidates: [] });
      expect(actual.allocationId).toBe('eipalloc-2');
      expect(ec2.commandCalls(ReleaseAddressCommand).map((c) => c.args[0].input.AllocationId)).toEqual([
        'eipalloc-1',
      ]);
    });

    it('DeleteAutoScalingGroup retried while the first delete runs: that delete is followed, not failed', async () => {
      autoscaling
        .on(DeleteAutoScalingGroupCommand)
        .rejects(awsError('ScalingActivityInProgress', 'An activity is in progress'));
      autoscaling
        .on(DescribeAutoScalingGroupsCommand)
        .resolvesOnce({
          AutoScalingGroups: [
            {
              AutoScalingGroupName: 'demo-backend',
              Status: 'Delete in progress',
              MinSize: 0,
              MaxSize: 0,
              DesiredCapacity: 0,
              DefaultCooldown: 300,
              AvailabilityZones: ['a'],
              HealthCheckType: 'EC2',
              CreatedTime: new Date(0),
            },
          ],
        })
        .resolves({ AutoScalingGroups: [] });
      const ctx = testContext({ key: 'autoScalingGroup' });
      await autoScalingGroup.delete(ctx, { id: 'demo-backend', name: 'demo-backend', instances: [] });
      expect(autoscaling.commandCalls(DeleteAutoScalingGroupCommand)).toHaveLength(1);
    });

    it('CancelInstanceRefresh retried after the refresh was cancelled: ActiveInstanceRefreshNotFound is done', async () => {
      autoscaling
        .on(StartInstanceRefreshCommand)
        .rejectsOnce(awsError('InstanceRefreshInProgress'))
        .resolves({ InstanceRefreshId: 'r-2' });
      autoscaling.on(DescribeInstanceRefreshesCommand).resolves({
        InstanceRefreshes: [
          {
            InstanceRefreshId: 'r-1',
            Status: 'InProgress',
            DesiredConfiguration: { LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '1' } },
          },
        ],
      });
      autoscaling.on(CancelInstanceRefreshCommand).rejects(awsError('ActiveInstanceRefreshNotFound'));
      const target = { launchTemplateId: 'lt-1', version: '2' };
      expect(await startRefresh(testContext({ key: 'autoScalingGroup' }), 'demo-backend', target, 60)).toBe(
        'r-2',
      );
    });
  });
});
