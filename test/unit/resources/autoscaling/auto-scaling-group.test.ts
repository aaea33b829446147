import {
  AttachLoadBalancerTargetGroupsCommand,
  AutoScalingClient,
  type AutoScalingGroup,
  CancelInstanceRefreshCommand,
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  DescribePoliciesCommand,
  DetachLoadBalancerTargetGroupsCommand,
  PutScalingPolicyCommand,
  StartInstanceRefreshCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UNKNOWN, unknown } from '../../../../src/engine/contract.js';
import {
  type ActualAutoScalingGroup,
  autoScalingGroup,
} from '../../../../src/resources/autoscaling/auto-scaling-group.js';
import { testConfig, testContext } from '../../../support/context.js';
import { withFakeTime } from '../../../support/fake-time.js';

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

const TG = 'arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/demo-tg-8080/1';
const OUTPUTS = {
  launchTemplate: { id: 'lt-1', name: 'demo-backend', version: 2 },
  targetGroup: { arn: TG, name: 'demo-tg-8080', port: 8080 },
  network: { vpcId: 'vpc-1', subnetIds: ['subnet-b', 'subnet-a'] },
};

function group(over: Partial<AutoScalingGroup> = {}): AutoScalingGroup {
  return {
    AutoScalingGroupName: 'demo-backend',
    LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '2' },
    MinSize: 1,
    MaxSize: 4,
    DesiredCapacity: 2,
    DefaultCooldown: 300,
    AvailabilityZones: ['eu-central-1a'],
    CreatedTime: new Date(),
    VPCZoneIdentifier: 'subnet-a,subnet-b',
    TargetGroupARNs: [TG],
    HealthCheckType: 'ELB',
    HealthCheckGracePeriod: 300,
    Instances: [
      {
        InstanceId: 'i-1',
        LifecycleState: 'InService',
        HealthStatus: 'Healthy',
        AvailabilityZone: 'a',
        ProtectedFromScaleIn: false,
      },
      {
        InstanceId: 'i-2',
        LifecycleState: 'InService',
        HealthStatus: 'Healthy',
        AvailabilityZone: 'b',
        ProtectedFromScaleIn: false,
      },
    ],
    Tags: [
      { Key: 'tekamolo:stack', Value: 'demo' },
      { Key: 'tekamolo:resource', Value: 'autoScalingGroup' },
    ],
    ...over,
  };
}

function ctx(saved: Record<string, unknown> = {}, config = testConfig()) {
  return testContext({ key: 'autoScalingGroup', saved, outputs: OUTPUTS, config });
}

describe('Auto Scaling group', () => {
  let autoscaling: AwsClientStub<AutoScalingClient>;
  let ec2: AwsClientStub<EC2Client>;

  beforeEach(() => {
    autoscaling = mockClient(AutoScalingClient);
    ec2 = mockClient(EC2Client);
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group()] });
    autoscaling.on(DescribePoliciesCommand).resolves({
      ScalingPolicies: [
        { PolicyName: 'demo-backend-cpu-target', TargetTrackingConfiguration: { TargetValue: 50 } },
      ],
    });
    autoscaling.on(UpdateAutoScalingGroupCommand).resolves({});
    autoscaling.on(StartInstanceRefreshCommand).resolves({ InstanceRefreshId: 'refresh-1' });
  });
  afterEach(() => {
    autoscaling.reset();
    autoscaling.restore();
    ec2.reset();
    ec2.restore();
  });

  it('create: template version, subnets, target group, ELB health checks, propagated tags, CPU policy', async () => {
    autoscaling.on(CreateAutoScalingGroupCommand).resolves({});
    autoscaling.on(PutScalingPolicyCommand).resolves({});
    const c = ctx();
    await autoScalingGroup.create(c, await autoScalingGroup.desired(c));
    const input = autoscaling.commandCalls(CreateAutoScalingGroupCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      AutoScalingGroupName: 'demo-backend',
      LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '2' },
      MinSize: 1,
      MaxSize: 4,
      DesiredCapacity: 2,
      VPCZoneIdentifier: 'subnet-a,subnet-b',
      TargetGroupARNs: [TG],
      HealthCheckType: 'ELB',
      HealthCheckGracePeriod: 300,
    });
    expect(input?.Tags).toContainEqual(
      expect.objectContaining({ Key: 'tekamolo:stack', Value: 'demo', PropagateAtLaunch: true }),
    );
    expect(autoscaling.commandCalls(PutScalingPolicyCommand)[0]?.args[0].input).toMatchObject({
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' },
        TargetValue: 50,
      },
    });
    expect(c.recorded).toMatchObject({ name: 'demo-backend', desiredCapacity: 2 });
  });

  it('the first launch is retried while IAM propagates a new instance profile, and only for that', async () => {
    const notYet = awsError(
      'ValidationError',
      'You must use a valid fully-formed launch template. Value (demo-instances) for parameter ' +
        'iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name',
    );
    autoscaling.on(CreateAutoScalingGroupCommand).rejectsOnce(notYet).resolves({});
    autoscaling.on(PutScalingPolicyCommand).resolves({});
    const c = ctx();
    await autoScalingGroup.create(c, await autoScalingGroup.desired(c));
    expect(autoscaling.commandCalls(CreateAutoScalingGroupCommand)).toHaveLength(2);
    expect(c.recorded).toMatchObject({ name: 'demo-backend' });

    autoscaling
      .on(CreateAutoScalingGroupCommand)
      .rejects(awsError('ValidationError', 'Max bound, 0, must be >= 1'));
    await expect(autoScalingGroup.create(ctx(), await autoScalingGroup.desired(c))).rejects.toThrow(
      'Max bound',
    );
    expect(autoscaling.commandCalls(CreateAutoScalingGroupCommand)).toHaveLength(3);
  });

  it('in plan, a target group that will be created is a change of targetGroupArns (up moves the group to it)', async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group()] });
    const c = testContext({
      key: 'autoScalingGroup',
      outputs: { ...OUTPUTS, targetGroup: unknown },
    });
    const found = await autoScalingGroup.find(c);
    const changes = autoScalingGroup.diff(await autoScalingGroup.desired(c), found!);
    expect(changes.map((ch) => [ch.field, ch.from, ch.to])).toEqual([['targetGroupArns', [TG], [UNKNOWN]]]);
  });

  it('a new template version is rolled out by a refresh with auto-rollback; the refresh moves the group', async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [group({ LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '1' } })],
    });
    const c = ctx({ name: 'demo-backend', desiredCapacity: 2 });
    const found = await autoScalingGroup.find(c);
    const desired = await autoScalingGroup.desired(c);
    const changes = autoScalingGroup.diff(desired, found!);
    expect(changes.map((ch) => [ch.field, ch.from, ch.to])).toEqual([
      ['launchTemplateVersion', '1', '2'],
      [
        'instanceRefresh',
        '2 of 2 instances on template v1, group on v1',
        '2 instances replaced, rolling, min healthy 100%',
      ],
    ]);
    const updated = await autoScalingGroup.update(c, desired, found!, changes);
    // AWS rolls back only to the configuration the group had when the refresh started.
    expect(autoscaling.commandCalls(UpdateAutoScalingGroupCommand)).toHaveLength(0);
    const refresh = autoscaling.commandCalls(StartInstanceRefreshCommand)[0]?.args[0].input;
    expect(refresh?.DesiredConfiguration).toEqual({
      LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '2' },
    });
    expect(refresh?.Preferences).toMatchObject({
      MinHealthyPercentage: 100,
      SkipMatching: true,
      AutoRollback: true,
    });
    expect(c.recorded.refreshId).toBe('refresh-1');
    expect(updated.refreshId).toBe('refresh-1');
    expect(updated.launchTemplateVersion).toBe('1');
  });

  it('instances on an older version than the group are drift, named by version', async () => {
    const onV1 = { LaunchTemplateId: 'lt-1', Version: '1' };
    const [first, second] = group().Instances ?? [];
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        group({
          Instances: [
            { ...first!, LaunchTemplate: onV1 },
            { ...second!, LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '2' } },
          ],
        }),
      ],
    });
    const c = ctx({ desiredCapacity: 2 });
    const found = await autoScalingGroup.find(c);
    const changes = autoScalingGroup.diff(await autoScalingGroup.desired(c), found!);
    expect(changes.map((ch) => [ch.field, ch.from, ch.to])).toEqual([
      [
        'instanceRefresh',
        '1 of 2 instances on template v1, group on v2',
        '1 instance replaced, rolling, min healthy 100%',
      ],
    ]);
    expect(autoScalingGroup.describe!(c, found!)).toContain('1 of 2 instances on template v1');
  });

  it('in plan, a template that will get a new version (unknown yet) shows every instance replaced', async () => {
    const c = testContext({
      key: 'autoScalingGroup',
      saved: { desiredCapacity: 2 },
      outputs: {
        ...OUTPUTS,
        launchTemplate: { id: 'lt-1', name: 'demo-backend', version: unknown },
      } as never,
    });
    const found = await autoScalingGroup.find(c);
    const changes = autoScalingGroup.diff(await autoScalingGroup.desired(c), found!);
    expect(changes.map((ch) => [ch.field, ch.to])).toEqual([
      ['instanceRefresh', '2 instances replaced, rolling, min healthy 100%'],
    ]);
  });

  it('a refused refresh fails the update and stays drift: the next up starts it', async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [group({ LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '1' } })],
    });
    autoscaling
      .on(StartInstanceRefreshCommand)
      .rejectsOnce(awsError('LimitExceeded', 'too many refreshes'))
      .resolves({ InstanceRefreshId: 'refresh-2' });
    const first = ctx({ desiredCapacity: 2 });
    const desired = await autoScalingGroup.desired(first);
    const before = (await autoScalingGroup.find(first))!;
    await expect(
      autoScalingGroup.update(first, desired, before, autoScalingGroup.diff(desired, before)),
    ).rejects.toThrow('too many refreshes');
    expect(first.recorded.refreshId).toBeUndefined();

    const next = ctx({ desiredCapacity: 2 });
    const after = (await autoScalingGroup.find(next))!;
    const changes = autoScalingGroup.diff(desired, after);
    expect(changes.map((ch) => ch.field)).toContain('instanceRefresh');
    await autoScalingGroup.update(next, desired, after, changes);
    expect(next.recorded.refreshId).toBe('refresh-2');
  });

  it('a refresh already rolling out the wanted version is followed, not cancelled', async () => {
    autoscaling.on(StartInstanceRefreshCommand).rejects(awsError('InstanceRefreshInProgress'));
    autoscaling.on(DescribeInstanceRefreshesCommand).resolves({
      InstanceRefreshes: [
        {
          InstanceRefreshId: 'refresh-0',
          Status: 'InProgress',
          DesiredConfiguration: { LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '2' } },
        },
      ],
    });
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [group({ LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '1' } })],
    });
    const c = ctx();
    const found = await autoScalingGroup.find(c);
    const desired = await autoScalingGroup.desired(c);
    const updated = await autoScalingGroup.update(c, desired, found!, autoScalingGroup.diff(desired, found!));
    expect(autoscaling.commandCalls(CancelInstanceRefreshCommand)).toHaveLength(0);
    expect(updated.refreshId).toBe('refresh-0');
    expect(c.messages.some((m) => m.includes('refresh-0 already rolls out template v2'))).toBe(true);
  });

  it('wait follows the instance refresh Pending → InProgress → Successful, then the InService count', async () => {
    autoscaling
      .on(DescribeInstanceRefreshesCommand)
      .resolvesOnce({ InstanceRefreshes: [{ InstanceRefreshId: 'refresh-1', Status: 'Pending' }] })
      .resolvesOnce({
        InstanceRefreshes: [
          {
            InstanceRefreshId: 'refresh-1',
            Status: 'InProgress',
            PercentageComplete: 50,
            InstancesToUpdate: 1,
          },
        ],
      })
      .resolves({
        InstanceRefreshes: [
          { InstanceRefreshId: 'refresh-1', Status: 'Successful', PercentageComplete: 100 },
        ],
      });
    const c = ctx({ refreshId: 'refresh-1' });
    const found = await autoScalingGroup.find(c);
    expect(await autoScalingGroup.health!(c, found!)).toEqual({
      state: 'pending',
      detail: '2/2 InService; instance refresh Pending',
    });
    const ready = await autoScalingGroup.wait!(c, found!);
    expect(autoscaling.commandCalls(DescribeInstanceRefreshesCommand)).toHaveLength(3);
    expect(c.messages).toContain(
      'instance refresh: InProgress 50%, 1 instance to go (usually 5–15 minutes per batch of instances)',
    );
    expect(ready.refreshId).toBeUndefined();
    expect(c.recorded.refreshId).toBeUndefined();
    expect(autoScalingGroup.optionalWait).toBe(true);
    expect(autoScalingGroup.readyBeforeDependents).toBe(true);
  });

  it('wait reads the group again only when it was found short of InService instances', async () => {
    const c = ctx();
    const found = await autoScalingGroup.find(c);
    expect(await autoScalingGroup.wait!(c, found!)).toEqual(found);
    expect(autoscaling.commandCalls(DescribeAutoScalingGroupsCommand)).toHaveLength(1);

    const short = { ...found!, desiredCapacity: 3 };
    autoscaling
      .on(DescribeAutoScalingGroupsCommand)
      .resolves({ AutoScalingGroups: [group({ DesiredCapacity: 2 })] });
    await autoScalingGroup.wait!(c, short);
    expect(autoscaling.commandCalls(DescribeAutoScalingGroupsCommand)).toHaveLength(2);
  });

  it('a failed refresh is rolled back by AWS; the wait fails naming why and the targets never healthy', async () => {
    const elbv2 = mockClient(ElasticLoadBalancingV2Client);
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: 'i-1' }, TargetHealth: { State: 'healthy' } },
        {
          Target: { Id: 'i-3' },
          TargetHealth: {
            State: 'unhealthy',
            Reason: 'Target.FailedHealthChecks',
            Description: 'Health checks failed',
          },
        },
      ],
    });
    autoscaling
      .on(DescribeInstanceRefreshesCommand)
      .resolvesOnce({ InstanceRefreshes: [{ InstanceRefreshId: 'refresh-1', Status: 'InProgress' }] })
      .resolvesOnce({ InstanceRefreshes: [{ InstanceRefreshId: 'refresh-1', Status: 'RollbackInProgress' }] })
      .resolves({
        InstanceRefreshes: [
          {
            InstanceRefreshId: 'refresh-1',
            Status: 'RollbackSuccessful',
            StatusReason: 'rolled back',
            RollbackDetails: { RollbackReason: 'instances failed to become healthy' },
          },
        ],
      });
    const c = ctx({ refreshId: 'refresh-1' });
    try {
      const waited = withFakeTime(async () => autoScalingGroup.wait!(c, (await autoScalingGroup.find(c))!));
      await expect(waited).rejects.toMatchObject({
        name: 'WorkError',
        message: expect.stringMatching(
          /RollbackSuccessful: instances failed to become healthy; targets not healthy: i-3 unhealthy: Target.FailedHealthChecks/,
        ),
      });
    } finally {
      elbv2.restore();
    }
    expect(c.recorded.refreshId).toBeUndefined();
    expect(c.recorded.lastRefreshId).toBe('refresh-1');
  });

  it('a refresh that failed while nobody waited is unhealthy in status, warned once by up, then forgotten', async () => {
    autoscaling.on(DescribeInstanceRefreshesCommand).resolves({
      InstanceRefreshes: [
        { InstanceRefreshId: 'refresh-1', Status: 'Failed', StatusReason: 'new instances unhealthy' },
      ],
    });
    const c = ctx({ refreshId: 'refresh-1' });
    const found = await autoScalingGroup.find(c);
    expect(await autoScalingGroup.health!(c, found!)).toEqual({
      state: 'unhealthy',
      detail: '2/2 InService; instance refresh Failed: new instances unhealthy',
    });
    await autoScalingGroup.wait!(c, found!);
    expect(c.messages.some((m) => m.startsWith('warning: instance refresh refresh-1 ended Failed'))).toBe(
      true,
    );
    expect(c.recorded.refreshId).toBeUndefined();
    expect(c.recorded.lastRefreshId).toBe('refresh-1');
  });

  it('a refresh that already succeeded is not reported as running', async () => {
    autoscaling.on(DescribeInstanceRefreshesCommand).resolves({
      InstanceRefreshes: [{ InstanceRefreshId: 'refresh-1', Status: 'Successful' }],
    });
    const c = ctx({ refreshId: 'refresh-1' });
    const found = await autoScalingGroup.find(c);
    expect(found?.refreshId).toBeUndefined();
    expect((await autoScalingGroup.health!(c, found!)).state).toBe('ok');
  });

  it('a refresh already in progress for an older version is cancelled and a new one started', async () => {
    autoscaling
      .on(StartInstanceRefreshCommand)
      .rejectsOnce(awsError('InstanceRefreshInProgress'))
      .rejectsOnce(awsError('InstanceRefreshInProgress'))
      .resolves({ InstanceRefreshId: 'refresh-2' });
    autoscaling.on(CancelInstanceRefreshCommand).resolves({});
    autoscaling.on(DescribeInstanceRefreshesCommand).resolves({
      InstanceRefreshes: [
        {
          InstanceRefreshId: 'refresh-0',
          Status: 'InProgress',
          DesiredConfiguration: { LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '1' } },
        },
      ],
    });
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [group({ LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '1' } })],
    });
    const c = ctx();
    const found = await autoScalingGroup.find(c);
    const desired = await autoScalingGroup.desired(c);
    await autoScalingGroup.update(c, desired, found!, autoScalingGroup.diff(desired, found!));
    expect(autoscaling.commandCalls(CancelInstanceRefreshCommand)).toHaveLength(1);
    expect(autoscaling.commandCalls(StartInstanceRefreshCommand)).toHaveLength(3);
    expect(c.recorded.refreshId).toBe('refresh-2');
    expect(
      c.messages.some((m) => m.includes('cancelling instance refresh refresh-0: it rolls out template v1')),
    ).toBe(true);
  });

  it('sizes changed behind its back are restored; a desired count moved by the policy is left alone', async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [group({ MaxSize: 9, DesiredCapacity: 3 })],
    });
    const c = ctx({ desiredCapacity: 2 });
    const found = await autoScalingGroup.find(c);
    const desired = await autoScalingGroup.desired(c);
    const changes = autoScalingGroup.diff(desired, found!);
    expect(changes).toEqual([{ field: 'max', from: 9, to: 4, action: 'update' }]);
    await autoScalingGroup.update(c, desired, found!, changes);
    const input = autoscaling.commandCalls(UpdateAutoScalingGroupCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ MaxSize: 4, DesiredCapacity: 3 });
    expect(autoscaling.commandCalls(StartInstanceRefreshCommand)).toHaveLength(0);
  });

  it('a desired count changed in the config, or out of range, is set', () => {
    const desired = {
      name: 'demo-backend',
      launchTemplateId: 'lt-1',
      launchTemplateVersion: '2',
      subnets: ['subnet-a'],
      targetGroupArns: [TG],
      min: 1,
      max: 4,
      desiredCapacity: 3,
      healthCheckType: 'ELB' as const,
      healthCheckGracePeriod: 300,
      cpuTarget: 50,
      tags: {},
    };
    const actual: ActualAutoScalingGroup = {
      id: 'demo-backend',
      name: 'demo-backend',
      desiredCapacity: 2,
      appliedDesired: 2,
      instances: [],
    };
    expect(autoScalingGroup.diff(desired, actual).map((c) => c.field)).toEqual(['desiredCapacity']);
    expect(
      autoScalingGroup.diff({ ...desired, desiredCapacity: 2, max: 1 }, actual).map((c) => c.field),
    ).toEqual(['desiredCapacity']);
  });

  it('a missing CPU policy is put back; a replaced target group is attached before the old is detached', async () => {
    autoscaling.on(DescribePoliciesCommand).resolves({ ScalingPolicies: [] });
    autoscaling
      .on(DescribeAutoScalingGroupsCommand)
      .resolves({ AutoScalingGroups: [group({ TargetGroupARNs: ['arn:old'] })] });
    autoscaling.on(PutScalingPolicyCommand).resolves({});
    autoscaling.on(AttachLoadBalancerTargetGroupsCommand).resolves({});
    autoscaling.on(DetachLoadBalancerTargetGroupsCommand).resolves({});
    const c = ctx({ desiredCapacity: 2 });
    const found = await autoScalingGroup.find(c);
    const desired = await autoScalingGroup.desired(c);
    const changes = autoScalingGroup.diff(desired, found!);
    expect(changes.map((ch) => ch.field)).toEqual(['targetGroupArns', 'cpuTarget']);
    await autoScalingGroup.update(c, desired, found!, changes);
    const attach = autoscaling.commandCalls(AttachLoadBalancerTargetGroupsCommand)[0];
    const detach = autoscaling.commandCalls(DetachLoadBalancerTargetGroupsCommand)[0];
    expect(attach?.args[0].input.TargetGroupARNs).toEqual([TG]);
    expect(detach?.args[0].input.TargetGroupARNs).toEqual(['arn:old']);
    const order = autoscaling.calls().map((call) => call.args[0]);
    const attachAt = order.findIndex((cmd) => cmd instanceof AttachLoadBalancerTargetGroupsCommand);
    const detachAt = order.findIndex((cmd) => cmd instanceof DetachLoadBalancerTargetGroupsCommand);
    expect(attachAt).toBeGreaterThan(-1);
    expect(attachAt).toBeLessThan(detachAt);
    expect(autoscaling.commandCalls(PutScalingPolicyCommand)).toHaveLength(1);
  });

  it('delete force-deletes and waits until the group is gone and its instances terminated', async () => {
    autoscaling.on(DeleteAutoScalingGroupCommand).resolves({});
    autoscaling
      .on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce({ AutoScalingGroups: [group({ Status: 'Delete in progress' })] })
      .resolves({ AutoScalingGroups: [] });
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce({
        Reservations: [{ Instances: [{ InstanceId: 'i-1', State: { Name: 'shutting-down' } }] }],
      })
      .resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-1', State: { Name: 'terminated' } }] }] });
    const c = ctx();
    const actual: ActualAutoScalingGroup = {
      id: 'demo-backend',
      name: 'demo-backend',
      instances: [{ id: 'i-1', lifecycle: 'InService', health: 'Healthy' }],
    };
    await autoScalingGroup.delete(c, actual);
    expect(autoscaling.commandCalls(DeleteAutoScalingGroupCommand)[0]?.args[0].input.ForceDelete).toBe(true);
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(2);
    expect(c.messages).toContain('waiting for deletion: instances not terminated: i-1 (shutting-down)');
  });

  it('a delete that does not finish times out naming what is still in the way', async () => {
    autoscaling.on(DeleteAutoScalingGroupCommand).resolves({});
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [{ InstanceId: 'i-1', State: { Name: 'shutting-down' } }] }],
    });
    const config = testConfig({ waits: { pollSeconds: 0.01, instancesMinutes: 0.001 } });
    const actual: ActualAutoScalingGroup = {
      id: 'demo-backend',
      name: 'demo-backend',
      instances: [{ id: 'i-1', lifecycle: 'InService', health: 'Healthy' }],
    };
    await expect(autoScalingGroup.delete(ctx({}, config), actual)).rejects.toMatchObject({
      name: 'WorkError',
      message: expect.stringContaining('instances not terminated: i-1 (shutting-down)'),
    });
  });

  it('delete of a group already gone succeeds', async () => {
    autoscaling
      .on(DeleteAutoScalingGroupCommand)
      .rejects(
        awsError(
          'ValidationError',
          'AutoScalingGroup name not found - AutoScalingGroup demo-backend not found',
        ),
      );
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    await expect(
      autoScalingGroup.delete(ctx(), { id: 'demo-backend', name: 'demo-backend', instances: [] }),
    ).resolves.toBeUndefined();
  });

  it('health: unhealthy instances are named; fewer InService than desired is pending', async () => {
    const c = ctx();
    const base: ActualAutoScalingGroup = { id: 'g', name: 'g', desiredCapacity: 2, instances: [] };
    expect(
      await autoScalingGroup.health!(c, {
        ...base,
        instances: [
          { id: 'i-1', lifecycle: 'InService', health: 'Healthy' },
          { id: 'i-2', lifecycle: 'InService', health: 'Unhealthy' },
        ],
      }),
    ).toEqual({ state: 'unhealthy', detail: '2/2 InService; i-2 Unhealthy' });
    expect(
      await autoScalingGroup.health!(c, {
        ...base,
        instances: [{ id: 'i-1', lifecycle: 'InService', health: 'Healthy' }],
      }),
    ).toEqual({ state: 'pending', detail: '1/2 InService' });
  });
});
