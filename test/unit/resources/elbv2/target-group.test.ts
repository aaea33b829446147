import {
  AddTagsCommand,
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ActualTargetGroup, targetGroup } from '../../../../src/resources/elbv2/target-group.js';
import { testConfig, testContext } from '../../../support/context.js';

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

const OUTPUTS = { network: { vpcId: 'vpc-1', subnetIds: ['subnet-a', 'subnet-b'] } };
const ARN = 'arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/demo-tg-8080/abc';

function ctx(saved = {}, config = testConfig()) {
  return testContext({ key: 'targetGroup', saved, outputs: OUTPUTS, config });
}

function actual(over: Partial<ActualTargetGroup> = {}): ActualTargetGroup {
  return {
    id: ARN,
    arn: ARN,
    name: 'demo-tg-8080',
    protocol: 'HTTP',
    port: 8080,
    vpcId: 'vpc-1',
    healthCheckPath: '/api/health',
    healthCheckMatcher: '200-399',
    ...over,
  };
}

describe('target group', () => {
  let elbv2: AwsClientStub<ElasticLoadBalancingV2Client>;

  beforeEach(() => {
    elbv2 = mockClient(ElasticLoadBalancingV2Client);
    elbv2.on(DescribeTagsCommand).resolves({
      TagDescriptions: [{ ResourceArn: ARN, Tags: [{ Key: 'tekamolo:stack', Value: 'demo' }] }],
    });
  });
  afterEach(() => {
    elbv2.reset();
    elbv2.restore();
  });

  it('a port change is a replacement under a new name; a health check path change is in place', async () => {
    const config = testConfig({ backend: { port: 9090, healthCheckPath: '/healthz' } });
    const desired = await targetGroup.desired(ctx({}, config));
    expect(desired.name).toBe('demo-tg-9090');
    const changes = targetGroup.diff(desired, actual());
    expect(changes.map((c) => [c.field, c.action])).toEqual([
      ['port', 'replace'],
      ['healthCheckPath', 'update'],
    ]);
  });

  it('a field the read did not return is unknown, not different', async () => {
    const desired = await targetGroup.desired(ctx());
    expect(targetGroup.diff(desired, actual({ healthCheckMatcher: undefined, vpcId: undefined }))).toEqual(
      [],
    );
  });

  it('a state entry of the wrong shape counts as nothing saved: found by name, not by its ARN', async () => {
    const other = 'arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/someone-else/def';
    elbv2
      .on(DescribeTargetGroupsCommand, { TargetGroupArns: [other] })
      .resolves({ TargetGroups: [{ TargetGroupArn: other, TargetGroupName: 'someone-else', Port: 8080 }] })
      .on(DescribeTargetGroupsCommand, { Names: ['demo-tg-8080'] })
      .resolves({ TargetGroups: [{ TargetGroupArn: ARN, TargetGroupName: 'demo-tg-8080', Port: 8080 }] });
    // The port recorded as a string: not what this handler writes, so the ARN beside it is not trusted.
    const found = await targetGroup.find(ctx({ arn: other, port: '8080' }));
    expect(found?.arn).toBe(ARN);
    expect(elbv2.commandCalls(DescribeTargetGroupsCommand).map((c) => c.args[0].input)).toEqual([
      { Names: ['demo-tg-8080'] },
    ]);
  });

  it('finds by the state ARN, then by the name for the configured port; untagged is foreign', async () => {
    elbv2
      .on(DescribeTargetGroupsCommand, { TargetGroupArns: ['arn:old'] })
      .rejects(awsError('TargetGroupNotFoundException'))
      .on(DescribeTargetGroupsCommand, { Names: ['demo-tg-8080'] })
      .resolves({ TargetGroups: [{ TargetGroupArn: ARN, TargetGroupName: 'demo-tg-8080', Port: 8080 }] });
    elbv2.on(DescribeTagsCommand).resolves({ TagDescriptions: [{ ResourceArn: ARN, Tags: [] }] });
    const found = await targetGroup.find(ctx({ arn: 'arn:old' }));
    expect(found?.arn).toBe(ARN);
    expect(found?.foreign).toMatch(/no tekamolo:stack/);
  });

  it('a target group taken over (no stack tag) gets our tags, without other calls', async () => {
    elbv2.on(DescribeTargetGroupsCommand).resolves({
      TargetGroups: [
        {
          TargetGroupArn: ARN,
          TargetGroupName: 'demo-tg-8080',
          Protocol: 'HTTP',
          Port: 8080,
          VpcId: 'vpc-1',
          HealthCheckPath: '/api/health',
          Matcher: { HttpCode: '200-399' },
        },
      ],
    });
    elbv2
      .on(DescribeTagsCommand)
      .resolves({ TagDescriptions: [{ ResourceArn: ARN, Tags: [{ Key: 'team', Value: 'x' }] }] });
    elbv2.on(AddTagsCommand).resolves({});
    const c = ctx();
    const found = await targetGroup.find(c);
    expect(found?.foreign).toBeDefined();
    const changes = targetGroup.diff(await targetGroup.desired(c), found!);
    expect(changes.map((ch) => ch.field)).toEqual(['tags']);
    await targetGroup.update(c, await targetGroup.desired(c), found!, changes);
    expect(elbv2.commandCalls(AddTagsCommand)[0]?.args[0].input.Tags).toEqual([
      { Key: 'tekamolo:stack', Value: 'demo' },
      { Key: 'tekamolo:resource', Value: 'targetGroup' },
    ]);
    expect(elbv2.commandCalls(ModifyTargetGroupCommand)).toHaveLength(0);
  });

  it('create sends HTTP on the app port with the health check and tags, and records the ARN', async () => {
    elbv2.on(CreateTargetGroupCommand).resolves({ TargetGroups: [{ TargetGroupArn: ARN }] });
    const c = ctx();
    await targetGroup.create(c, await targetGroup.desired(c));
    const input = elbv2.commandCalls(CreateTargetGroupCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      Name: 'demo-tg-8080',
      Protocol: 'HTTP',
      Port: 8080,
      VpcId: 'vpc-1',
      HealthCheckPath: '/api/health',
    });
    expect(input?.Tags).toContainEqual({ Key: 'tekamolo:resource', Value: 'targetGroup' });
    expect(c.recorded).toMatchObject({ arn: ARN, port: 8080 });
  });

  it('a same-named target group on create is adopted when ours, a UserError when not', async () => {
    elbv2.on(CreateTargetGroupCommand).rejects(awsError('DuplicateTargetGroupNameException'));
    elbv2.on(DescribeTargetGroupsCommand).resolves({
      TargetGroups: [{ TargetGroupArn: ARN, TargetGroupName: 'demo-tg-8080', Port: 8080 }],
    });
    const c = ctx();
    const adopted = await targetGroup.create(c, await targetGroup.desired(c));
    expect(adopted.arn).toBe(ARN);
    expect(c.recorded.arn).toBe(ARN);
    elbv2.on(DescribeTagsCommand).resolves({ TagDescriptions: [{ ResourceArn: ARN, Tags: [] }] });
    await expect(targetGroup.create(ctx(), await targetGroup.desired(ctx()))).rejects.toMatchObject({
      name: 'UserError',
    });
  });

  it('update changes the health check in place', async () => {
    elbv2.on(ModifyTargetGroupCommand).resolves({});
    const config = testConfig({ backend: { healthCheckPath: '/healthz' } });
    const c = ctx({}, config);
    const desired = await targetGroup.desired(c);
    const updated = await targetGroup.update(c, desired, actual(), targetGroup.diff(desired, actual()));
    expect(elbv2.commandCalls(ModifyTargetGroupCommand)[0]?.args[0].input.HealthCheckPath).toBe('/healthz');
    expect(updated.healthCheckPath).toBe('/healthz');
  });

  it('delete retries ResourceInUse while a listener lets go, and accepts a group already gone', async () => {
    elbv2.on(DeleteTargetGroupCommand).rejectsOnce(awsError('ResourceInUse')).resolves({});
    await targetGroup.delete(ctx(), actual());
    expect(elbv2.commandCalls(DeleteTargetGroupCommand)).toHaveLength(2);
    elbv2.on(DeleteTargetGroupCommand).rejects(awsError('TargetGroupNotFoundException'));
    await expect(targetGroup.delete(ctx(), actual())).resolves.toBeUndefined();
  });

  it('health lists the reasons of unhealthy targets', async () => {
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: 'i-1' }, TargetHealth: { State: 'healthy' } },
        {
          Target: { Id: 'i-2' },
          TargetHealth: {
            State: 'unhealthy',
            Reason: 'Target.ResponseCodeMismatch',
            Description: 'Health checks failed with these codes: [502]',
          },
        },
      ],
    });
    const health = await targetGroup.health!(ctx(), actual());
    expect(health).toEqual({
      state: 'unhealthy',
      detail:
        '1/2 healthy; i-2 unhealthy: Target.ResponseCodeMismatch Health checks failed with these codes: [502]',
    });
    expect(await targetGroup.describe!(ctx(), actual())).toContain('1/2 targets healthy');
  });

  it('health is pending with no targets or targets still in their initial checks', async () => {
    elbv2.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
    expect((await targetGroup.health!(ctx(), actual())).state).toBe('pending');
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: 'i-1' }, TargetHealth: { State: 'initial', Reason: 'Elb.RegistrationInProgress' } },
      ],
    });
    expect(await targetGroup.health!(ctx(), actual())).toEqual({
      state: 'pending',
      detail: '0/1 healthy; i-1 initial: Elb.RegistrationInProgress',
    });
  });
});
