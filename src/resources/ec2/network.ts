import { DescribeSubnetsCommand, DescribeVpcsCommand, type Filter } from '@aws-sdk/client-ec2';
import { orUndefined } from '../../aws/errors.js';
import type { Actual, Change, Resource, ResourceContext } from '../../engine/contract.js';
import { UserError } from '../../errors.js';
import type { NetworkOutputs } from '../outputs.js';

/** What the config asks for: a VPC and its subnets, or the default VPC and its default subnets. */
export interface NetworkDesired {
  vpcId?: string;
  subnetIds?: string[];
}

export interface NetworkSubnet {
  id: string;
  zone: string;
}

export interface ActualNetwork extends Actual {
  vpcId: string;
  subnets: NetworkSubnet[];
}

/** An ALB needs subnets in at least two Availability Zones. */
const MIN_ZONES = 2;

async function findVpcId(ctx: ResourceContext): Promise<string | undefined> {
  const ec2 = ctx.aws.ec2();
  const configured = ctx.config.backend.vpcId;
  const request = configured
    ? { VpcIds: [configured] }
    : { Filters: [{ Name: 'isDefault', Values: ['true'] }] };
  const result = await orUndefined(ec2.send(new DescribeVpcsCommand(request)));
  return result?.Vpcs?.[0]?.VpcId;
}

async function findSubnets(ctx: ResourceContext, vpcId: string): Promise<NetworkSubnet[]> {
  const configured = ctx.config.backend.subnetIds;
  const filters: Filter[] = [{ Name: 'vpc-id', Values: [vpcId] }];
  if (!configured) filters.push({ Name: 'default-for-az', Values: ['true'] });
  const request = configured ? { SubnetIds: configured, Filters: filters } : { Filters: filters };
  const result = await orUndefined(ctx.aws.ec2().send(new DescribeSubnetsCommand(request)));
  const subnets: NetworkSubnet[] = [];
  for (const s of result?.Subnets ?? []) {
    if (s.SubnetId && s.AvailabilityZone) subnets.push({ id: s.SubnetId, zone: s.AvailabilityZone });
  }
  return subnets.sort((a, b) => a.zone.localeCompare(b.zone) || a.id.localeCompare(b.id));
}

function zonesOf(subnets: NetworkSubnet[]): string[] {
  return [...new Set(subnets.map((s) => s.zone))];
}

export const network: Resource<NetworkDesired, ActualNetwork, NetworkOutputs> = {
  key: 'network',
  title: 'VPC and subnets',
  dependsOn: [],
  readOnly: true,

  desired(ctx) {
    const desired: NetworkDesired = {};
    if (ctx.config.backend.vpcId) desired.vpcId = ctx.config.backend.vpcId;
    if (ctx.config.backend.subnetIds) desired.subnetIds = ctx.config.backend.subnetIds;
    return desired;
  },

  async find(ctx) {
    const vpcId = await findVpcId(ctx);
    if (!vpcId) return undefined;
    const subnets = await findSubnets(ctx, vpcId);
    const configured = ctx.config.backend.subnetIds;
    const missing = configured?.filter((id) => !subnets.some((s) => s.id === id)) ?? [];
    if (missing.length > 0) {
      throw new UserError(
        `subnets ${missing.join(', ')} were not found in VPC ${vpcId} (region ${ctx.config.region})`,
        'check backend.subnetIds: every subnet must belong to backend.vpcId (or the default VPC)',
      );
    }
    const zones = zonesOf(subnets);
    if (configured && zones.length < subnets.length) {
      const shared = zones.filter((z) => subnets.filter((x) => x.zone === z).length > 1);
      throw new UserError(
        `backend.subnetIds lists more than one subnet in ${shared.join(', ')}; a load balancer takes one subnet per Availability Zone`,
        'keep one subnet per Availability Zone in backend.subnetIds',
      );
    }
    if (zones.length < MIN_ZONES) {
      throw new UserError(
        `the load balancer needs subnets in at least ${MIN_ZONES} Availability Zones; VPC ${vpcId} offers ` +
          `${subnets.length} subnet(s) in ${zones.length === 0 ? 'no zone' : zones.join(', ')}`,
        configured
          ? 'list subnets of two or more Availability Zones in backend.subnetIds'
          : 'set backend.subnetIds to subnets in two or more Availability Zones, or create default subnets ' +
              '(aws ec2 create-default-subnet --availability-zone <zone>)',
      );
    }
    return { id: vpcId, vpcId, subnets };
  },

  // Looked up, never changed or deleted: nothing to prove.
  ownership() {
    return {};
  },

  diff(desired, actual): Change[] {
    // The lookup already follows the config; a configured VPC that is not the one found means the
    // config changed under a running stack, which only a destroy and a new up can carry out.
    if (desired.vpcId && desired.vpcId !== actual.vpcId) {
      return [
        { field: 'vpcId', from: actual.vpcId, to: desired.vpcId, action: 'replace', reason: 'VPC changed' },
      ];
    }
    return [];
  },

  async create(ctx) {
    const vpc = ctx.config.backend.vpcId;
    throw new UserError(
      vpc ? `VPC ${vpc} was not found in ${ctx.config.region}` : `no default VPC in ${ctx.config.region}`,
      vpc
        ? 'check backend.vpcId and the region'
        : 'set backend.vpcId (and backend.subnetIds), or create one with: aws ec2 create-default-vpc',
    );
  },

  async update(_ctx, _desired, actual) {
    return actual;
  },

  async delete() {
    // Looked up, never created: nothing of ours to delete.
  },

  outputs(actual) {
    return { vpcId: actual.vpcId, subnetIds: actual.subnets.map((s) => s.id) };
  },

  describe(_ctx, actual) {
    return `${actual.vpcId}, ${actual.subnets.length} subnets in ${zonesOf(actual.subnets).join(', ')}`;
  },
};
