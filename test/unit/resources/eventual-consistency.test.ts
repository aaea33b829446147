// What AWS documents as eventually consistent right after a create: answered by bounded retries
// (shown with -v) or waits, never by a failed run.
import { ACMClient, type CertificateDetail, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeAddressesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateRuleCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { certificateValidation } from '../../../src/resources/acm/certificate-validation.js';
import { certificateInfo } from '../../../src/resources/acm/certificates.js';
import { elasticIp } from '../../../src/resources/ec2/elastic-ip.js';
import { instanceSecurityGroup } from '../../../src/resources/ec2/security-group.js';
import { listener } from '../../../src/resources/elbv2/listener.js';
import { VISIBLE_ATTEMPTS } from '../../../src/resources/shared/retry-while.js';
import { testConfig, testContext } from '../../support/context.js';
import { withFakeTime } from '../../support/fake-time.js';

function awsError(name: string): Error {
  return Object.assign(new Error(name), { name });
}

const ec2 = mockClient(EC2Client);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const acm = mockClient(ACMClient);
const autoscaling = mockClient(AutoScalingClient);
/** Default polls, so that delays are real-sized and only fake time lets the tests be quick. */
const config = testConfig({ waits: { pollSeconds: 10 } });

afterEach(() => {
  for (const client of [ec2, elbv2, acm, autoscaling]) client.reset();
});

describe('ACM DomainValidationOptions right after RequestCertificate', () => {
  const ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/cdn-1';
  const APEX = { Name: '_a1.example.com.', Type: 'CNAME' as const, Value: '_v1.acm-validations.aws.' };
  const WWW = { Name: '_a2.www.example.com.', Type: 'CNAME' as const, Value: '_v2.acm-validations.aws.' };

  function detail(options: CertificateDetail['DomainValidationOptions']): CertificateDetail {
    return {
      CertificateArn: ARN,
      DomainName: 'example.com',
      SubjectAlternativeNames: ['example.com', 'www.example.com'],
      Status: 'PENDING_VALIDATION',
      DomainValidationOptions: options,
    };
  }

  it('an empty or partial list leaves every name without its record missing', () => {
    expect(certificateInfo(detail([]), 'us-east-1').recordsMissingFor).toEqual([
      'example.com',
      'www.example.com',
    ]);
    const partial = certificateInfo(
      detail([{ DomainName: 'example.com', ResourceRecord: APEX }]),
      'us-east-1',
    );
    expect(partial.recordsMissingFor).toEqual(['www.example.com']);
    const full = detail([
      { DomainName: 'example.com', ResourceRecord: APEX },
      { DomainName: 'www.example.com', ResourceRecord: WWW },
    ]);
    expect(certificateInfo(full, 'us-east-1').recordsMissingFor).toEqual([]);
  });

  it('validation waits through an empty, then a partial list until every name has its record', async () => {
    acm
      .on(DescribeCertificateCommand)
      .resolvesOnce({ Certificate: detail([]) })
      .resolvesOnce({ Certificate: detail([{ DomainName: 'example.com', ResourceRecord: APEX }]) })
      .resolves({
        Certificate: detail([
          { DomainName: 'example.com', ResourceRecord: APEX },
          { DomainName: 'www.example.com', ResourceRecord: WWW },
        ]),
      });
    const ctx = testContext({
      key: 'validation',
      config: testConfig({ region: 'us-east-1', waits: { pollSeconds: 10 } }),
      outputs: {
        zone: { zoneId: 'ZONE1', name: 'example.com', nameServers: [] },
        'certificate.cdn': { arn: ARN },
      },
    });
    const desired = await withFakeTime(() => Promise.resolve(certificateValidation.desired(ctx)));
    expect(desired.records.map((r) => r.name)).toEqual(['_a1.example.com', '_a2.www.example.com']);
    expect(acm.commandCalls(DescribeCertificateCommand)).toHaveLength(3);
    expect(ctx.messages).toContain(
      "waiting for ACM's validation records: not yet for example.com, www.example.com",
    );
    expect(ctx.messages).toContain("waiting for ACM's validation records: not yet for www.example.com");
  });
});

describe('ids not yet visible right after their create', () => {
  const outputs = { network: { vpcId: 'vpc-1' }, 'sg.alb': { groupId: 'sg-alb' } };

  it('AuthorizeSecurityGroupIngress retries InvalidGroup.NotFound for a group created a moment ago', async () => {
    ec2.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-new' });
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    ec2
      .on(AuthorizeSecurityGroupIngressCommand)
      .rejectsOnce(awsError('InvalidGroup.NotFound'))
      .rejectsOnce(awsError('InvalidGroup.NotFound'))
      .resolves({ Return: true });
    const ctx = testContext({ key: 'sg.instances', outputs, config });
    const desired = await instanceSecurityGroup.desired(ctx);
    const actual = await withFakeTime(() => instanceSecurityGroup.create(ctx, desired));
    expect(actual.id).toBe('sg-new');
    expect(ec2.commandCalls(AuthorizeSecurityGroupIngressCommand)).toHaveLength(3);
    expect(ctx.messages).toEqual([
      `security group not visible yet (InvalidGroup.NotFound), retry 1 of ${VISIBLE_ATTEMPTS - 1}`,
      `security group not visible yet (InvalidGroup.NotFound), retry 2 of ${VISIBLE_ATTEMPTS - 1}`,
    ]);
  });

  it('the retry is bounded: a group that never appears fails after the last attempt', async () => {
    ec2.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-new' });
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    ec2.on(AuthorizeSecurityGroupIngressCommand).rejects(awsError('InvalidGroup.NotFound'));
    const ctx = testContext({ key: 'sg.instances', outputs, config });
    const desired = await instanceSecurityGroup.desired(ctx);
    await expect(withFakeTime(() => instanceSecurityGroup.create(ctx, desired))).rejects.toMatchObject({
      name: 'InvalidGroup.NotFound',
    });
    expect(ec2.commandCalls(AuthorizeSecurityGroupIngressCommand)).toHaveLength(VISIBLE_ATTEMPTS);
  });

  it('CreateListener and CreateRule retry a load balancer and a target group not visible yet', async () => {
    const LISTENER = 'arn:aws:elasticloadbalancing:eu-central-1:1:listener/app/demo-alb/1/2';
    elbv2
      .on(CreateListenerCommand)
      .rejectsOnce(awsError('LoadBalancerNotFound'))
      .resolves({ Listeners: [{ ListenerArn: LISTENER }] });
    elbv2
      .on(CreateRuleCommand)
      .rejectsOnce(awsError('TargetGroupNotFound'))
      .resolves({ Rules: [{ RuleArn: `${LISTENER}/rule-1` }] });
    const ctx = testContext({
      key: 'listener',
      config,
      outputs: {
        loadBalancer: { arn: 'arn:lb' },
        targetGroup: { arn: 'arn:tg' },
        validation: { originCertificateArn: 'arn:aws:acm:eu-central-1:1:certificate/o' },
      },
    });
    const desired = await listener.desired(ctx);
    const actual = await withFakeTime(() => listener.create(ctx, desired));
    expect(actual.rule?.arn).toBe(`${LISTENER}/rule-1`);
    expect(elbv2.commandCalls(CreateListenerCommand)).toHaveLength(2);
    expect(elbv2.commandCalls(CreateRuleCommand)).toHaveLength(2);
    expect(ctx.messages).toEqual(
      expect.arrayContaining([
        expect.stringContaining('not visible yet (LoadBalancerNotFound), retry 1'),
        expect.stringContaining('not visible yet (TargetGroupNotFound), retry 1'),
      ]),
    );
  });

  it('AssociateAddress retries an instance the group launched a moment ago', async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'demo-backend',
          MinSize: 1,
          MaxSize: 1,
          DesiredCapacity: 1,
          DefaultCooldown: 300,
          AvailabilityZones: ['a'],
          HealthCheckType: 'ELB',
          CreatedTime: new Date(0),
          Instances: [
            {
              InstanceId: 'i-new',
              LifecycleState: 'InService',
              HealthStatus: 'Healthy',
              AvailabilityZone: 'a',
              ProtectedFromScaleIn: false,
            },
          ],
        },
      ],
    });
    ec2.on(AllocateAddressCommand).resolves({ AllocationId: 'eipalloc-1', PublicIp: '198.51.100.7' });
    ec2.on(DescribeAddressesCommand).resolves({ Addresses: [{ AllocationId: 'eipalloc-1' }] });
    ec2
      .on(AssociateAddressCommand)
      .rejectsOnce(awsError('InvalidInstanceID.NotFound'))
      .resolves({ AssociationId: 'eipassoc-1' });
    const ctx = testContext({
      key: 'elasticIp',
      config,
      outputs: { autoScalingGroup: { name: 'demo-backend' } },
    });
    const desired = await elasticIp.desired(ctx);
    const actual = await withFakeTime(() => elasticIp.create(ctx, desired));
    expect(actual.instanceId).toBe('i-new');
    expect(ec2.commandCalls(AssociateAddressCommand)).toHaveLength(2);
    expect(ctx.messages).toContain(
      `instance i-new not visible yet (InvalidInstanceID.NotFound), retry 1 of ${VISIBLE_ATTEMPTS - 1}`,
    );
  });
});
