import {
  CreateListenerCommand,
  CreateRuleCommand,
  DeleteListenerCommand,
  DeleteRuleCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  type Listener,
  ModifyListenerCommand,
  ModifyRuleCommand,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UNKNOWN, unknown } from '../../../../src/engine/contract.js';
import { type ActualListener, listener, SSL_POLICY } from '../../../../src/resources/elbv2/listener.js';
import { testContext } from '../../../support/context.js';

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

const LB = 'arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/app/demo-alb/1';
const LISTENER = 'arn:aws:elasticloadbalancing:eu-central-1:123456789012:listener/app/demo-alb/1/2';
const TG = 'arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/demo-tg-8080/3';
const CERT = 'arn:aws:acm:eu-central-1:123456789012:certificate/origin';
const SECRET = 'saved-secret-0123456789';
const OUTPUTS = {
  loadBalancer: { arn: LB, dnsName: 'd', canonicalHostedZoneId: 'Z' },
  targetGroup: { arn: TG, name: 'demo-tg-8080', port: 8080 },
  validation: { records: [], originCertificateArn: CERT, cdnCertificateArn: 'arn:cdn' },
};

function ctx(saved: Record<string, unknown> = {}) {
  return testContext({ key: 'listener', saved, outputs: OUTPUTS });
}

function awsListener(): Listener {
  return {
    ListenerArn: LISTENER,
    LoadBalancerArn: LB,
    Port: 443,
    Protocol: 'HTTPS',
    SslPolicy: SSL_POLICY,
    Certificates: [{ CertificateArn: CERT }],
    DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '403' } }],
  };
}

function rule(priority: string, secret: string, targetGroupArn = TG): Rule {
  return {
    RuleArn: `${LISTENER}/rule-${priority}`,
    Priority: priority,
    IsDefault: false,
    Conditions: [
      { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Origin-Verify', Values: [secret] } },
    ],
    Actions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
  };
}

const defaultRule: Rule = { RuleArn: `${LISTENER}/default`, Priority: 'default', IsDefault: true };

describe('listener', () => {
  let elbv2: AwsClientStub<ElasticLoadBalancingV2Client>;

  beforeEach(() => {
    elbv2 = mockClient(ElasticLoadBalancingV2Client);
    elbv2.on(DescribeListenersCommand).resolves({ Listeners: [awsListener()] });
    elbv2.on(CreateRuleCommand).resolves({ Rules: [{ RuleArn: `${LISTENER}/rule-1` }] });
  });
  afterEach(() => {
    elbv2.reset();
    elbv2.restore();
  });

  it('create: HTTPS 443 with the origin certificate, TLS 1.3/1.2, 403 by default, one header rule; secret recorded', async () => {
    elbv2.on(CreateListenerCommand).resolves({ Listeners: [{ ListenerArn: LISTENER }] });
    const c = ctx();
    const created = await listener.create(c, await listener.desired(c));
    const input = elbv2.commandCalls(CreateListenerCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      LoadBalancerArn: LB,
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      Certificates: [{ CertificateArn: CERT }],
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '403' } }],
    });
    const secret = c.recorded.originSecret as string;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(c.recorded.arn).toBe(LISTENER);
    const ruleInput = elbv2.commandCalls(CreateRuleCommand)[0]?.args[0].input;
    expect(ruleInput).toMatchObject({
      ListenerArn: LISTENER,
      Priority: 1,
      Conditions: [
        { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Origin-Verify', Values: [secret] } },
      ],
      Actions: [{ Type: 'forward', TargetGroupArn: TG }],
    });
    expect(listener.outputs(created)).toEqual({
      arn: LISTENER,
      originHeaderName: 'X-Origin-Verify',
      originSecret: secret,
    });
  });

  it('two desired states without state generate different secrets; a saved one is kept', async () => {
    const a = await listener.desired(ctx());
    const b = await listener.desired(ctx());
    expect(a.secret).not.toBe(b.secret);
    expect((await listener.desired(ctx({ originSecret: SECRET }))).secret).toBe(SECRET);
  });

  it('retries CreateListener while ELB does not see a just-issued certificate yet', async () => {
    elbv2
      .on(CreateListenerCommand)
      .rejectsOnce(awsError('CertificateNotFoundException'))
      .resolves({ Listeners: [{ ListenerArn: LISTENER }] });
    const c = ctx();
    await listener.create(c, await listener.desired(c));
    expect(elbv2.commandCalls(CreateListenerCommand)).toHaveLength(2);
  });

  it('the rule deleted behind its back is recreated with the saved secret', async () => {
    elbv2.on(DescribeRulesCommand).resolves({ Rules: [defaultRule] });
    const c = ctx({ arn: LISTENER, originSecret: SECRET });
    const found = await listener.find(c);
    expect(found?.rule).toBeNull();
    const desired = await listener.desired(c);
    const changes = listener.diff(desired, found!);
    expect(changes.map((ch) => ch.field)).toEqual(['rule']);
    await listener.update(c, desired, found!, changes);
    const input = elbv2.commandCalls(CreateRuleCommand)[0]?.args[0].input;
    expect(input?.Conditions?.[0]?.HttpHeaderConfig?.Values).toEqual([SECRET]);
    expect(elbv2.commandCalls(ModifyListenerCommand)).toHaveLength(0);
  });

  it('with the state lost, the secret is recovered from the rule: no change, same outputs', async () => {
    elbv2.on(DescribeRulesCommand).resolves({ Rules: [defaultRule, rule('1', SECRET)] });
    const c = ctx();
    const found = await listener.find(c);
    expect(elbv2.commandCalls(DescribeListenersCommand)[0]?.args[0].input).toEqual({ LoadBalancerArn: LB });
    expect(listener.diff(await listener.desired(c), found!)).toEqual([]);
    expect(listener.outputs(found!).originSecret).toBe(SECRET);
  });

  it('a secret changed behind its back is restored, and the diff never shows it', async () => {
    elbv2.on(DescribeRulesCommand).resolves({ Rules: [defaultRule, rule('1', 'tampered')] });
    elbv2.on(ModifyRuleCommand).resolves({});
    const c = ctx({ arn: LISTENER, originSecret: SECRET });
    const found = await listener.find(c);
    const desired = await listener.desired(c);
    const changes = listener.diff(desired, found!);
    expect(changes).toEqual([
      { field: 'rule.secret', from: '(sensitive)', to: '(sensitive)', action: 'update' },
    ]);
    expect(JSON.stringify(changes)).not.toContain(SECRET);
    await listener.update(c, desired, found!, changes);
    const input = elbv2.commandCalls(ModifyRuleCommand)[0]?.args[0].input;
    expect(input?.Conditions?.[0]?.HttpHeaderConfig?.Values).toEqual([SECRET]);
  });

  it('a rule widened behind its back (a second accepted value, or no forward) is narrowed again', async () => {
    const widened = rule('1', SECRET);
    widened.Conditions = [
      {
        Field: 'http-header',
        HttpHeaderConfig: { HttpHeaderName: 'X-Origin-Verify', Values: [SECRET, '*'] },
      },
    ];
    elbv2.on(DescribeRulesCommand).resolves({ Rules: [widened] });
    elbv2.on(ModifyRuleCommand).resolves({});
    const c = ctx({ arn: LISTENER, originSecret: SECRET });
    const found = await listener.find(c);
    const desired = await listener.desired(c);
    const changes = listener.diff(desired, found!);
    expect(changes.map((ch) => [ch.field, ch.from])).toEqual([['rule.condition', '2 accepted values']]);
    await listener.update(c, desired, found!, changes);
    expect(elbv2.commandCalls(ModifyRuleCommand)[0]?.args[0].input.Conditions).toEqual([
      { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Origin-Verify', Values: [SECRET] } },
    ]);

    const noForward = { ...rule('1', SECRET), Actions: [{ Type: 'fixed-response' as const }] };
    elbv2.on(DescribeRulesCommand).resolves({ Rules: [noForward] });
    const changed = await listener.find(c);
    expect(listener.diff(desired, changed!).map((ch) => [ch.field, ch.from])).toEqual([
      ['rule.targetGroupArn', null],
    ]);
  });

  it('a replaced target group and a changed certificate are switched in place', async () => {
    elbv2.on(DescribeRulesCommand).resolves({ Rules: [rule('1', SECRET, 'arn:old-tg')] });
    elbv2.on(DescribeListenersCommand).resolves({
      Listeners: [{ ...awsListener(), Certificates: [{ CertificateArn: 'arn:old-cert' }] }],
    });
    elbv2.on(ModifyRuleCommand).resolves({});
    elbv2.on(ModifyListenerCommand).resolves({});
    const c = ctx({ arn: LISTENER, originSecret: SECRET });
    const found = await listener.find(c);
    const desired = await listener.desired(c);
    const changes = listener.diff(desired, found!);
    expect(changes.map((ch) => ch.field)).toEqual(['certificateArn', 'rule.targetGroupArn']);
    await listener.update(c, desired, found!, changes);
    expect(elbv2.commandCalls(ModifyListenerCommand)[0]?.args[0].input.Certificates).toEqual([
      { CertificateArn: CERT },
    ]);
    expect(elbv2.commandCalls(ModifyRuleCommand)[0]?.args[0].input.Actions).toEqual([
      { Type: 'forward', TargetGroupArn: TG },
    ]);
  });

  it('a rule added behind its back (it could bypass the header check) is removed', async () => {
    elbv2.on(DescribeRulesCommand).resolves({
      Rules: [
        rule('1', SECRET),
        { RuleArn: 'arn:extra', Priority: '5', Actions: [{ Type: 'forward', TargetGroupArn: TG }] },
      ],
    });
    elbv2.on(DeleteRuleCommand).resolves({});
    const c = ctx({ arn: LISTENER, originSecret: SECRET });
    const found = await listener.find(c);
    const desired = await listener.desired(c);
    const changes = listener.diff(desired, found!);
    expect(changes.map((ch) => ch.field)).toEqual(['extraRules']);
    expect((await listener.health!(c, found!)).state).toBe('unhealthy');
    await listener.update(c, desired, found!, changes);
    expect(elbv2.commandCalls(DeleteRuleCommand)[0]?.args[0].input.RuleArn).toBe('arn:extra');
  });

  it('a deleted listener is not found (so up recreates it); in plan an unknown ALB finds nothing', async () => {
    elbv2
      .on(DescribeListenersCommand, { ListenerArns: [LISTENER] })
      .rejects(awsError('ListenerNotFoundException'));
    elbv2.on(DescribeListenersCommand, { LoadBalancerArn: LB }).resolves({ Listeners: [] });
    expect(await listener.find(ctx({ arn: LISTENER }))).toBeUndefined();
    const plan = testContext({
      key: 'listener',
      outputs: { ...OUTPUTS, loadBalancer: unknown },
    });
    elbv2.resetHistory();
    expect(await listener.find(plan)).toBeUndefined();
    expect(elbv2.commandCalls(DescribeListenersCommand)).toHaveLength(0);
  });

  it('in plan, a target group that will be created moves the rule (up forwards to the new group)', async () => {
    elbv2.on(DescribeRulesCommand).resolves({ Rules: [defaultRule, rule('1', SECRET)] });
    const c = testContext({
      key: 'listener',
      saved: { arn: LISTENER, originSecret: SECRET },
      outputs: { ...OUTPUTS, targetGroup: unknown },
    });
    const found = await listener.find(c);
    const changes = listener.diff(await listener.desired(c), found!);
    expect(changes.map((ch) => [ch.field, ch.from, ch.to])).toEqual([['rule.targetGroupArn', TG, UNKNOWN]]);
  });

  it('delete removes the listener; already gone is success', async () => {
    elbv2.on(DeleteListenerCommand).rejectsOnce(awsError('ListenerNotFoundException')).resolves({});
    const actual: ActualListener = { id: LISTENER, arn: LISTENER, rule: null, extraRules: [] };
    await expect(listener.delete(ctx(), actual)).resolves.toBeUndefined();
    await listener.delete(ctx(), actual);
    expect(elbv2.commandCalls(DeleteListenerCommand)).toHaveLength(2);
  });
});
