import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DisassociateAddressCommand,
  EC2Client,
  ReleaseAddressCommand,
} from '@aws-sdk/client-ec2';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ActualElasticIp, elasticIp } from '../../../../src/resources/ec2/elastic-ip.js';
import { testConfig, testContext } from '../../../support/context.js';

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

const OUTPUTS = { autoScalingGroup: { name: 'demo-backend' } };
const EIP: ActualElasticIp = {
  id: 'eipalloc-1',
  allocationId: 'eipalloc-1',
  publicIp: '198.51.100.7',
  associationId: 'eipassoc-1',
  instanceId: 'i-old',
};

function ctx(saved: Record<string, unknown> = {}) {
  return testContext({ key: 'elasticIp', saved, outputs: OUTPUTS });
}

function groupWith(...instances: [string, string][]) {
  return {
    AutoScalingGroups: [
      {
        AutoScalingGroupName: 'demo-backend',
        MinSize: 1,
        MaxSize: 2,
        DesiredCapacity: 1,
        DefaultCooldown: 300,
        AvailabilityZones: ['a'],
        HealthCheckType: 'ELB',
        CreatedTime: new Date(),
        Instances: instances.map(([id, state]) => ({
          InstanceId: id,
          LifecycleState: state as 'InService',
          HealthStatus: 'Healthy',
          AvailabilityZone: 'a',
          ProtectedFromScaleIn: false,
        })),
      },
    ],
  };
}

describe('Elastic IP', () => {
  let ec2: AwsClientStub<EC2Client>;
  let autoscaling: AwsClientStub<AutoScalingClient>;

  beforeEach(() => {
    ec2 = mockClient(EC2Client);
    autoscaling = mockClient(AutoScalingClient);
    autoscaling
      .on(DescribeAutoScalingGroupsCommand)
      .resolves(groupWith(['i-new', 'InService'], ['i-pending', 'Pending']));
    ec2.on(AssociateAddressCommand).resolves({ AssociationId: 'eipassoc-2' });
    ec2.on(DescribeAddressesCommand).resolves({ Addresses: [] });
  });
  afterEach(() => {
    ec2.reset();
    ec2.restore();
    autoscaling.reset();
    autoscaling.restore();
  });

  it('is enabled only when backend.elasticIp is on', () => {
    expect(elasticIp.enabled?.(testConfig())).toBe(true);
    expect(elasticIp.enabled?.(testConfig({ backend: { elasticIp: false } }))).toBe(false);
  });

  it('allocates with the stack tags, records the id at once and associates an InService instance', async () => {
    ec2.on(AllocateAddressCommand).resolves({ AllocationId: 'eipalloc-1', PublicIp: '198.51.100.7' });
    const c = ctx();
    const desired = await elasticIp.desired(c);
    expect(desired.candidates).toEqual(['i-new']);
    const created = await elasticIp.create(c, desired);
    const tags = ec2.commandCalls(AllocateAddressCommand)[0]?.args[0].input.TagSpecifications?.[0];
    expect(tags?.ResourceType).toBe('elastic-ip');
    expect(tags?.Tags).toContainEqual({ Key: 'tekamolo:stack', Value: 'demo' });
    expect(ec2.commandCalls(AssociateAddressCommand)[0]?.args[0].input).toEqual({
      AllocationId: 'eipalloc-1',
      InstanceId: 'i-new',
      AllowReassociation: true,
    });
    expect(c.recorded).toMatchObject({ allocationId: 'eipalloc-1', instanceId: 'i-new' });
    expect(elasticIp.outputs(created)).toEqual({
      allocationId: 'eipalloc-1',
      publicIp: '198.51.100.7',
      instanceId: 'i-new',
    });
  });

  it('without an InService instance it allocates, warns and leaves it unassociated', async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves(groupWith(['i-pending', 'Pending']));
    ec2.on(AllocateAddressCommand).resolves({ AllocationId: 'eipalloc-1', PublicIp: '198.51.100.7' });
    const c = ctx();
    const created = await elasticIp.create(c, await elasticIp.desired(c));
    expect(created.instanceId).toBeUndefined();
    expect(ec2.commandCalls(AssociateAddressCommand)).toHaveLength(0);
    expect(c.messages.some((m) => m.startsWith('warning:') && m.includes('no InService instance'))).toBe(
      true,
    );
    expect((await elasticIp.health!(c, created)).state).toBe('pending');
  });

  it('the Elastic IP quota is a UserError that says what to do', async () => {
    ec2
      .on(AllocateAddressCommand)
      .rejects(awsError('AddressLimitExceeded', 'The maximum number of addresses has been reached.'));
    const c = ctx();
    await expect(elasticIp.create(c, await elasticIp.desired(c))).rejects.toMatchObject({
      name: 'UserError',
      message: expect.stringContaining('EC2-VPC Elastic IPs'),
      hint: expect.stringContaining('Service Quotas'),
    });
    expect(c.recorded.allocationId).toBeUndefined();
  });

  it('finds by the state id, else by the stack and resource tags', async () => {
    ec2
      .on(DescribeAddressesCommand, { AllocationIds: ['eipalloc-gone'] })
      .rejects(awsError('InvalidAllocationID.NotFound'))
      .on(DescribeAddressesCommand, {
        Filters: [
          { Name: 'tag:tekamolo:stack', Values: ['demo'] },
          { Name: 'tag:tekamolo:resource', Values: ['elasticIp'] },
        ],
      })
      .resolves({
        Addresses: [{ AllocationId: 'eipalloc-1', PublicIp: '198.51.100.7', InstanceId: 'i-new' }],
      });
    const found = await elasticIp.find(ctx({ allocationId: 'eipalloc-gone' }));
    expect(found).toMatchObject({ allocationId: 'eipalloc-1', instanceId: 'i-new' });
  });

  it('re-associates when the instance it points at is no longer InService in the group', async () => {
    const c = ctx();
    const desired = await elasticIp.desired(c);
    const changes = elasticIp.diff(desired, EIP);
    expect(changes).toEqual([
      {
        field: 'instanceId',
        from: 'i-old',
        to: 'i-new',
        action: 'update',
        reason: 'i-old is no longer an InService instance of demo-backend',
      },
    ]);
    const moved = await elasticIp.update(c, desired, EIP, changes);
    expect(moved).toMatchObject({ instanceId: 'i-new', associationId: 'eipassoc-2' });
    expect(elasticIp.diff(desired, moved)).toEqual([]);
  });

  it('status of an address whose instance was terminated says so and is unhealthy', async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [{ InstanceId: 'i-old', State: { Name: 'terminated' } }] }],
    });
    expect(await elasticIp.describe!(ctx(), EIP)).toBe('198.51.100.7 → i-old (terminated)');
    expect(await elasticIp.health!(ctx(), EIP)).toEqual({
      state: 'unhealthy',
      detail: '198.51.100.7 points at i-old, which is terminated; up re-associates it',
    });
    ec2.on(DescribeInstancesCommand).rejects(awsError('InvalidInstanceID.NotFound'));
    expect(await elasticIp.describe!(ctx(), EIP)).toBe('198.51.100.7 → i-old (no longer exists)');
  });

  it('delete disassociates, then releases with a bounded retry while EC2 still sees it in use', async () => {
    ec2
      .on(DescribeAddressesCommand)
      .resolves({ Addresses: [{ AllocationId: 'eipalloc-1', AssociationId: 'eipassoc-1' }] });
    ec2.on(DisassociateAddressCommand).resolves({});
    ec2.on(ReleaseAddressCommand).rejectsOnce(awsError('InvalidIPAddress.InUse')).resolves({});
    await elasticIp.delete(ctx(), EIP);
    expect(ec2.commandCalls(DisassociateAddressCommand)[0]?.args[0].input.AssociationId).toBe('eipassoc-1');
    expect(ec2.commandCalls(ReleaseAddressCommand)).toHaveLength(2);
  });

  it('delete of an address already released succeeds without calls that change anything', async () => {
    ec2.on(DescribeAddressesCommand).rejects(awsError('InvalidAllocationID.NotFound'));
    await expect(elasticIp.delete(ctx(), EIP)).resolves.toBeUndefined();
    expect(ec2.commandCalls(ReleaseAddressCommand)).toHaveLength(0);
    expect(ec2.commandCalls(DisassociateAddressCommand)).toHaveLength(0);
  });

  describe('an address allocated twice (AllocateAddress retried after a lost answer)', () => {
    const TAGS = {
      Filters: [
        { Name: 'tag:tekamolo:stack', Values: ['demo'] },
        { Name: 'tag:tekamolo:resource', Values: ['elasticIp'] },
      ],
    };
    beforeEach(() => {
      ec2.on(DescribeAddressesCommand, TAGS).resolves({
        Addresses: [
          { AllocationId: 'eipalloc-2', PublicIp: '198.51.100.8' },
          {
            AllocationId: 'eipalloc-1',
            PublicIp: '198.51.100.7',
            AssociationId: 'eipassoc-1',
            InstanceId: 'i-new',
          },
        ],
      });
      ec2.on(DescribeAddressesCommand, { AllocationIds: ['eipalloc-2'] }).resolves({
        Addresses: [{ AllocationId: 'eipalloc-2', PublicIp: '198.51.100.8' }],
      });
      ec2.on(DescribeAddressesCommand, { AllocationIds: ['eipalloc-1'] }).resolves({
        Addresses: [{ AllocationId: 'eipalloc-1', AssociationId: 'eipassoc-1', InstanceId: 'i-new' }],
      });
      ec2.on(ReleaseAddressCommand).resolves({});
      ec2.on(DisassociateAddressCommand).resolves({});
    });

    it('keeps the recorded one, in one read, and shows the other as a change', async () => {
      const found = await elasticIp.find(ctx({ allocationId: 'eipalloc-1' }));
      expect(found).toMatchObject({
        allocationId: 'eipalloc-1',
        instanceId: 'i-new',
        extras: ['eipalloc-2'],
      });
      expect(ec2.commandCalls(DescribeAddressesCommand)).toHaveLength(1);
      // Without a state file, the associated one is kept.
      expect(await elasticIp.find(ctx())).toMatchObject({
        allocationId: 'eipalloc-1',
        extras: ['eipalloc-2'],
      });

      const desired = await elasticIp.desired(ctx());
      expect(elasticIp.diff(desired, found!)).toEqual([
        expect.objectContaining({ field: 'extraAddresses', from: ['eipalloc-2'], to: [], action: 'update' }),
      ]);
    });

    it('up releases the extra one and leaves the association alone', async () => {
      const c = ctx({ allocationId: 'eipalloc-1' });
      const found = (await elasticIp.find(c))!;
      const desired = await elasticIp.desired(c);
      const updated = await elasticIp.update(c, desired, found, elasticIp.diff(desired, found));
      expect(ec2.commandCalls(ReleaseAddressCommand).map((call) => call.args[0].input.AllocationId)).toEqual([
        'eipalloc-2',
      ]);
      expect(ec2.commandCalls(AssociateAddressCommand)).toHaveLength(0);
      expect(updated).toEqual({
        id: 'eipalloc-1',
        allocationId: 'eipalloc-1',
        publicIp: '198.51.100.7',
        associationId: 'eipassoc-1',
        instanceId: 'i-new',
      });
      expect(elasticIp.diff(desired, updated)).toEqual([]);
    });

    it('destroy releases both', async () => {
      const found = (await elasticIp.find(ctx()))!;
      await elasticIp.delete(ctx(), found);
      expect(ec2.commandCalls(ReleaseAddressCommand).map((call) => call.args[0].input.AllocationId)).toEqual([
        'eipalloc-1',
        'eipalloc-2',
      ]);
      expect(ec2.commandCalls(DisassociateAddressCommand)[0]?.args[0].input.AssociationId).toBe('eipassoc-1');
    });
  });
});
