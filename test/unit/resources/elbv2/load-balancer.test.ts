import {
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  ElasticLoadBalancingV2Client,
  type LoadBalancer,
  type LoadBalancerStateEnum,
  SetSecurityGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ActualLoadBalancer, loadBalancer } from '../../../../src/resources/elbv2/load-balancer.js';
import { testConfig, testContext } from '../../../support/context.js';

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

const ARN = 'arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/app/demo-alb/1';
const OUTPUTS = {
  network: { vpcId: 'vpc-1', subnetIds: ['subnet-b', 'subnet-a'] },
  'sg.alb': { groupId: 'sg-alb' },
};

function lb(state: string, reason?: string): LoadBalancer {
  return {
    LoadBalancerArn: ARN,
    LoadBalancerName: 'demo-alb',
    DNSName: 'demo-alb-1.eu-central-1.elb.amazonaws.com',
    CanonicalHostedZoneId: 'Z215JYRZR1TBD5',
    State: { Code: state as LoadBalancerStateEnum, ...(reason ? { Reason: reason } : {}) },
    Scheme: 'internet-facing',
    IpAddressType: 'ipv4',
    SecurityGroups: ['sg-alb'],
    AvailabilityZones: [{ SubnetId: 'subnet-a' }, { SubnetId: 'subnet-b' }],
  };
}

function ctx(saved = {}, config = testConfig()) {
  return testContext({ key: 'loadBalancer', saved, outputs: OUTPUTS, config });
}

function actual(state = 'active'): ActualLoadBalancer {
  return {
    id: ARN,
    arn: ARN,
    name: 'demo-alb',
    dnsName: 'demo-alb-1.eu-central-1.elb.amazonaws.com',
    canonicalHostedZoneId: 'Z215JYRZR1TBD5',
    state,
  };
}

describe('load balancer', () => {
  let elbv2: AwsClientStub<ElasticLoadBalancingV2Client>;

  beforeEach(() => {
    elbv2 = mockClient(ElasticLoadBalancingV2Client);
    elbv2.on(DescribeTagsCommand).resolves({
      TagDescriptions: [
        {
          ResourceArn: ARN,
          Tags: [
            { Key: 'tekamolo:stack', Value: 'demo' },
            { Key: 'tekamolo:resource', Value: 'loadBalancer' },
          ],
        },
      ],
    });
  });
  afterEach(() => {
    elbv2.reset();
    elbv2.restore();
  });

  it('creates an internet-facing ALB in the subnets behind sg.alb, tagged, and records the ARN', async () => {
    elbv2.on(CreateLoadBalancerCommand).resolves({ LoadBalancers: [lb('provisioning')] });
    const c = ctx();
    const created = await loadBalancer.create(c, await loadBalancer.desired(c));
    expect(elbv2.commandCalls(CreateLoadBalancerCommand)[0]?.args[0].input).toMatchObject({
      Name: 'demo-alb',
      Type: 'application',
      Scheme: 'internet-facing',
      SecurityGroups: ['sg-alb'],
      Subnets: ['subnet-a', 'subnet-b'],
    });
    expect(c.recorded.arn).toBe(ARN);
    expect(loadBalancer.outputs(created)).toEqual({
      arn: ARN,
      dnsName: 'demo-alb-1.eu-central-1.elb.amazonaws.com',
      canonicalHostedZoneId: 'Z215JYRZR1TBD5',
    });
  });

  it('finds by name when the state is lost and reports no drift; a changed group is updated in place', async () => {
    elbv2
      .on(DescribeLoadBalancersCommand, { Names: ['demo-alb'] })
      .resolves({ LoadBalancers: [lb('active')] });
    const c = ctx();
    const found = await loadBalancer.find(c);
    expect(found?.foreign).toBeUndefined();
    const desired = await loadBalancer.desired(c);
    expect(loadBalancer.diff(desired, found!)).toEqual([]);
    const changed = { ...found!, securityGroups: ['sg-other'] };
    const changes = loadBalancer.diff(desired, changed);
    expect(changes.map((ch) => [ch.field, ch.action])).toEqual([['securityGroups', 'update']]);
    elbv2.on(SetSecurityGroupsCommand).resolves({});
    await loadBalancer.update(c, desired, changed, changes);
    expect(elbv2.commandCalls(SetSecurityGroupsCommand)[0]?.args[0].input.SecurityGroups).toEqual(['sg-alb']);
  });

  it('wait polls provisioning until active', async () => {
    elbv2
      .on(DescribeLoadBalancersCommand)
      .resolvesOnce({ LoadBalancers: [lb('provisioning')] })
      .resolvesOnce({ LoadBalancers: [lb('provisioning')] })
      .resolves({ LoadBalancers: [lb('active')] });
    const c = ctx();
    const ready = await loadBalancer.wait!(c, actual('provisioning'));
    expect(ready.state).toBe('active');
    expect(elbv2.commandCalls(DescribeLoadBalancersCommand)).toHaveLength(3);
    expect(c.messages).toContain('waiting for load balancer: provisioning (usually 2–5 minutes)');
  });

  it('wait makes no call when the load balancer was found active', async () => {
    const found = actual('active');
    expect(await loadBalancer.wait!(ctx(), found)).toBe(found);
    expect(elbv2.commandCalls(DescribeLoadBalancersCommand)).toHaveLength(0);
  });

  it('wait stops at once on failed with the reason, and times out with a hint', async () => {
    elbv2
      .on(DescribeLoadBalancersCommand)
      .resolves({ LoadBalancers: [lb('failed', 'subnet has no free addresses')] });
    await expect(loadBalancer.wait!(ctx(), actual('provisioning'))).rejects.toMatchObject({
      message: expect.stringContaining('subnet has no free addresses'),
    });
    elbv2.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [lb('provisioning')] });
    const config = testConfig({ waits: { pollSeconds: 0.01, loadBalancerMinutes: 0.001 } });
    await expect(loadBalancer.wait!(ctx({}, config), actual('provisioning'))).rejects.toMatchObject({
      name: 'WorkError',
      message: expect.stringMatching(
        /timed out .* load balancer demo-alb to become active \(last status: provisioning\)/,
      ),
      hint: expect.stringContaining('state reason'),
    });
  });

  it('delete waits until the ALB is gone; already gone is success', async () => {
    elbv2.on(DeleteLoadBalancerCommand).resolves({});
    elbv2
      .on(DescribeLoadBalancersCommand)
      .resolvesOnce({ LoadBalancers: [lb('active')] })
      .rejects(awsError('LoadBalancerNotFoundException'));
    await loadBalancer.delete(ctx(), actual());
    expect(elbv2.commandCalls(DescribeLoadBalancersCommand)).toHaveLength(2);
    elbv2.on(DeleteLoadBalancerCommand).rejects(awsError('LoadBalancerNotFoundException'));
    await expect(loadBalancer.delete(ctx(), actual())).resolves.toBeUndefined();
  });

  it('health: provisioning is pending, failed is unhealthy with its reason', async () => {
    expect((await loadBalancer.health!(ctx(), actual('provisioning'))).state).toBe('pending');
    expect(await loadBalancer.health!(ctx(), { ...actual('failed'), stateReason: 'no capacity' })).toEqual({
      state: 'unhealthy',
      detail: 'failed: no capacity',
    });
    expect(await loadBalancer.describe!(ctx(), actual())).toBe(
      'active demo-alb-1.eu-central-1.elb.amazonaws.com',
    );
  });
});
