// A create whose answer was lost is retried (by the SDK or by the next run) after AWS carried it out:
// the retry meets its own work. Each case answers the retry as AWS documents it.
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
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeManagedPrefixListsCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateRuleCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { distribution } from '../../../src/resources/distribution.js';
import { listener } from '../../../src/resources/listener.js';
import { originAccessControl } from '../../../src/resources/origin-access-control.js';
import { instanceSecurityGroup } from '../../../src/resources/security-group.js';
import { applySettings } from '../../../src/resources/support/distribution-settings.js';
import { testContext } from '../../support/context.js';

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

const ec2 = mockClient(EC2Client);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const cf = mockClient(CloudFrontClient);

afterEach(() => {
  ec2.reset();
  elbv2.reset();
  cf.reset();
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
          DistributionConfig: applySettings(undefined, desired.settings, {
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
});
