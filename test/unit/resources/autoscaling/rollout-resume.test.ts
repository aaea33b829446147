// The engine with the real Auto Scaling group handler over a small stateful fake of the Auto Scaling
// API: a run that dies between the template's new version and the instance refresh leaves the
// rollout to the next `up`, proved by the instances' versions, whatever the state file says.
import {
  AutoScalingClient,
  type AutoScalingGroup,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  DescribePoliciesCommand,
  type InstanceRefresh,
  StartInstanceRefreshCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apply } from '../../../../src/engine/apply.js';
import { autoScalingGroup } from '../../../../src/resources/autoscaling/auto-scaling-group.js';
import { FakeCloud, fakeEnv, fakeResource } from '../../../support/fake-resources.js';

const TG = 'arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/demo-tg-8080/1';

/** The group as AWS keeps it: its template version and each instance's. */
class FakeGroup {
  version = '1';
  instanceVersions = ['1', '1'];
  refresh: InstanceRefresh | undefined;

  describe(): AutoScalingGroup {
    return {
      AutoScalingGroupName: 'demo-backend',
      LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: this.version },
      MinSize: 1,
      MaxSize: 4,
      DesiredCapacity: 2,
      DefaultCooldown: 300,
      AvailabilityZones: ['eu-central-1a'],
      CreatedTime: new Date(0),
      VPCZoneIdentifier: 'subnet-a,subnet-b',
      TargetGroupARNs: [TG],
      HealthCheckType: 'ELB',
      HealthCheckGracePeriod: 300,
      Instances: this.instanceVersions.map((Version, n) => ({
        InstanceId: `i-${n}`,
        LifecycleState: 'InService',
        HealthStatus: 'Healthy',
        AvailabilityZone: 'eu-central-1a',
        ProtectedFromScaleIn: false,
        LaunchTemplate: { LaunchTemplateId: 'lt-1', Version },
      })),
      Tags: [
        { Key: 'tekamolo:stack', Value: 'demo' },
        { Key: 'tekamolo:resource', Value: 'autoScalingGroup' },
      ],
    };
  }

  /** A refresh runs to its end once it is followed by its id, as a quick AWS would. */
  finishRefresh(): void {
    const version = this.refresh?.DesiredConfiguration?.LaunchTemplate?.Version;
    if (!this.refresh || !version) return;
    this.version = version;
    this.instanceVersions = this.instanceVersions.map(() => version);
    this.refresh = { ...this.refresh, Status: 'Successful', PercentageComplete: 100 };
  }
}

function dependencies(cloud: FakeCloud) {
  cloud.seed({ id: 'lt-1', name: 'launchTemplate', spec: { name: 'demo-backend', version: 2 } });
  cloud.seed({ name: 'targetGroup', spec: { arn: TG } });
  cloud.seed({ name: 'network', spec: { subnetIds: ['subnet-a', 'subnet-b'] } });
  return ['launchTemplate', 'targetGroup', 'network'].map((key) => fakeResource(cloud, { key }));
}

describe('a rollout interrupted between the template version and the instance refresh', () => {
  let autoscaling: AwsClientStub<AutoScalingClient>;
  let group: FakeGroup;
  let starts: number;

  beforeEach(() => {
    group = new FakeGroup();
    starts = 0;
    autoscaling = mockClient(AutoScalingClient);
    autoscaling
      .on(DescribeAutoScalingGroupsCommand)
      .callsFake(() => ({ AutoScalingGroups: [group.describe()] }));
    autoscaling.on(DescribePoliciesCommand).resolves({
      ScalingPolicies: [
        { PolicyName: 'demo-backend-cpu-target', TargetTrackingConfiguration: { TargetValue: 50 } },
      ],
    });
    autoscaling.on(UpdateAutoScalingGroupCommand).callsFake((input) => {
      if (input.LaunchTemplate?.Version) group.version = input.LaunchTemplate.Version;
      return {};
    });
    autoscaling.on(DescribeInstanceRefreshesCommand).callsFake((input) => {
      if (input.InstanceRefreshIds) group.finishRefresh();
      return { InstanceRefreshes: group.refresh ? [group.refresh] : [] };
    });
  });
  afterEach(() => {
    autoscaling.restore();
  });

  it('killed before StartInstanceRefresh went out: the next up starts it and the instances reach v2', async () => {
    const cloud = new FakeCloud();
    const resources = [...dependencies(cloud), autoScalingGroup];
    const dying = await fakeEnv(resources);
    autoscaling.on(StartInstanceRefreshCommand).callsFake(() => {
      // The process dies here: nothing after this point runs, no answer, no state write.
      dying.controller.abort();
      throw new Error('process killed');
    });
    expect((await apply(dying)).ok).toBe(false);
    expect(group.instanceVersions).toEqual(['1', '1']);

    autoscaling.on(StartInstanceRefreshCommand).callsFake((input) => {
      starts++;
      group.refresh = {
        InstanceRefreshId: 'refresh-1',
        Status: 'Pending',
        DesiredConfiguration: input.DesiredConfiguration,
      };
      return { InstanceRefreshId: 'refresh-1' };
    });
    const next = await fakeEnv(resources, { dir: dying.dir });
    const result = await apply(next);
    expect(result.ok).toBe(true);
    expect(result.actions.get('autoScalingGroup')).toBe('update');
    expect(starts).toBe(1);
    expect(group.instanceVersions).toEqual(['2', '2']);
    expect(next.store.get('autoScalingGroup')).toMatchObject({ lastRefreshId: 'refresh-1' });
  });

  it('killed after AWS started the refresh but before the answer: the next up follows that refresh', async () => {
    const cloud = new FakeCloud();
    const resources = [...dependencies(cloud), autoScalingGroup];
    const dying = await fakeEnv(resources);
    autoscaling.on(StartInstanceRefreshCommand).callsFake((input) => {
      if (group.refresh?.Status === 'InProgress') {
        const refused = Object.assign(new Error('An Instance Refresh is already in progress'), {
          name: 'InstanceRefreshInProgress',
        });
        throw refused;
      }
      starts++;
      group.refresh = {
        InstanceRefreshId: 'refresh-1',
        Status: 'InProgress',
        DesiredConfiguration: input.DesiredConfiguration,
      };
      dying.controller.abort();
      throw new Error('process killed');
    });
    expect((await apply(dying)).ok).toBe(false);

    const next = await fakeEnv(resources, { dir: dying.dir });
    expect((await apply(next)).ok).toBe(true);
    expect(starts).toBe(1);
    expect(group.instanceVersions).toEqual(['2', '2']);
  });
});
