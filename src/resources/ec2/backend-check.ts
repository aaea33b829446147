import {
  DescribeImagesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeKeyPairsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type Filter,
  type Subnet,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { Aws } from '../../aws/clients.js';
import { hasErrorName } from '../../aws/errors.js';
import type { PathIssue } from '../../config/path-issue.js';
import type { Config } from '../../config/schema.js';

/** What the backend's subnets are like: where instances run and whether they get a public address. */
export interface SubnetFacts {
  /** Availability Zones of the subnets the group and the load balancer use, sorted. */
  zones: string[];
  /** Every one of those subnets gives a new instance a public IPv4 address. */
  publicIpOnLaunch: boolean;
}

/** What the check found: problems at their config field (empty when all is there), and the subnets. */
export interface BackendCheck {
  problems: PathIssue[];
  /** Absent when the VPC or subnets could not be found. */
  subnets?: SubnetFacts;
}

const SSM_PREFIX = 'ssm:';

const problem = (path: PropertyKey[], message: string): PathIssue => ({ path, anchor: 'value', message });

/** The configured VPC, or the default one; filters, not ids, so that a missing VPC is an empty answer. */
async function findVpc(aws: Aws, config: Config): Promise<string | undefined> {
  const configured = config.backend.vpcId;
  const filter: Filter = configured
    ? { Name: 'vpc-id', Values: [configured] }
    : { Name: 'isDefault', Values: ['true'] };
  const result = await aws.ec2().send(new DescribeVpcsCommand({ Filters: [filter] }));
  return result.Vpcs?.[0]?.VpcId;
}

/** The configured (or default) VPC and subnets exist; what the subnets are like when they do. */
export async function checkNetwork(aws: Aws, config: Config): Promise<BackendCheck> {
  const { region } = config;
  const vpcId = await findVpc(aws, config);
  if (!vpcId) {
    return {
      problems: [
        config.backend.vpcId
          ? problem(
              ['backend', 'vpcId'],
              `VPC ${config.backend.vpcId} was not found in ${region}: use a VPC id of ${region} (aws ec2 describe-vpcs --region ${region})`,
            )
          : {
              path: ['backend', 'vpcId'],
              anchor: 'parent',
              message: `${region} has no default VPC: set backend.vpcId and backend.subnetIds, or create one with aws ec2 create-default-vpc --region ${region}`,
            },
      ],
    };
  }
  const configured = config.backend.subnetIds;
  // By filter: DescribeSubnets with SubnetIds fails as a whole on one unknown id, without saying which.
  const filter: Filter = configured
    ? { Name: 'subnet-id', Values: configured }
    : { Name: 'default-for-az', Values: ['true'] };
  const filters = configured ? [filter] : [filter, { Name: 'vpc-id', Values: [vpcId] }];
  const found = (await aws.ec2().send(new DescribeSubnetsCommand({ Filters: filters }))).Subnets ?? [];
  const problems: PathIssue[] = [];
  const used: Subnet[] = [];
  (configured ?? []).forEach((id, index) => {
    const subnet = found.find((s) => s.SubnetId === id);
    const path = ['backend', 'subnetIds', index];
    if (!subnet) problems.push(problem(path, `subnet ${id} was not found in ${region}`));
    else if (subnet.VpcId !== vpcId) {
      problems.push(problem(path, `subnet ${id} is in ${subnet.VpcId}, not in the stack's VPC ${vpcId}`));
    } else used.push(subnet);
  });
  if (problems.length > 0) return { problems };
  const subnets = configured ? used : found;
  return {
    problems,
    subnets: {
      zones: [...new Set(subnets.flatMap((s) => s.AvailabilityZone ?? []))].sort(),
      publicIpOnLaunch: subnets.length > 0 && subnets.every((s) => s.MapPublicIpOnLaunch === true),
    },
  };
}

/** The instance type is offered in every zone of the subnets (or, when they are unknown, in the region). */
async function checkInstanceType(
  aws: Aws,
  config: Config,
  zones: string[] | undefined,
): Promise<PathIssue[]> {
  const type = config.backend.instanceType;
  const filters: Filter[] = [{ Name: 'instance-type', Values: [type] }];
  if (zones) filters.push({ Name: 'location', Values: zones });
  const result = await aws.ec2().send(
    new DescribeInstanceTypeOfferingsCommand({
      LocationType: zones ? 'availability-zone' : 'region',
      Filters: filters,
    }),
  );
  const offered = new Set((result.InstanceTypeOfferings ?? []).flatMap((o) => o.Location ?? []));
  const list = `aws ec2 describe-instance-type-offerings --region ${config.region} --location-type availability-zone`;
  if (offered.size === 0) {
    return [
      problem(
        ['backend', 'instanceType'],
        `instance type ${type} is not offered in ${config.region}: pick one that is (${list})`,
      ),
    ];
  }
  const missing = (zones ?? []).filter((zone) => !offered.has(zone));
  if (missing.length === 0) return [];
  return [
    problem(
      ['backend', 'instanceType'],
      `instance type ${type} is not offered in ${missing.join(', ')}, where the Auto Scaling group launches: ` +
        `pick a type offered in every zone of the subnets (${list}), or list subnets of other zones in backend.subnetIds`,
    ),
  ];
}

/** The AMI, through its SSM parameter when the config names one, exists in the region. */
async function checkImage(aws: Aws, config: Config): Promise<PathIssue[]> {
  const { ami } = config.backend;
  const { region } = config;
  let imageId = ami;
  if (ami.startsWith(SSM_PREFIX)) {
    const name = ami.slice(SSM_PREFIX.length);
    try {
      const result = await aws.ssm().send(new GetParameterCommand({ Name: name }));
      imageId = result.Parameter?.Value ?? '';
    } catch (error) {
      if (!hasErrorName(error, 'ParameterNotFound', 'ValidationException')) throw error;
      imageId = '';
    }
    if (!imageId.startsWith('ami-')) {
      return [
        problem(
          ['backend', 'ami'],
          `SSM parameter ${name} does not exist in ${region} or names no AMI: use an ami-… id of ${region}, or a public parameter such as /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64`,
        ),
      ];
    }
  }
  try {
    const result = await aws.ec2().send(new DescribeImagesCommand({ ImageIds: [imageId] }));
    if ((result.Images ?? []).length > 0) return [];
  } catch (error) {
    if (!hasErrorName(error, 'InvalidAMIID.NotFound', 'InvalidAMIID.Malformed', 'InvalidAMIID.Unavailable')) {
      throw error;
    }
  }
  const via = imageId === ami ? '' : ` (from ${ami})`;
  return [
    problem(
      ['backend', 'ami'],
      `AMI ${imageId}${via} was not found in ${region}: AMI ids are regional; use an id of ${region}, or an ssm: parameter that follows the latest image`,
    ),
  ];
}

async function checkKeyPair(aws: Aws, config: Config): Promise<PathIssue[]> {
  const name = config.backend.keyName;
  if (!name) return [];
  // A filter answers an empty list where KeyNames would fail with InvalidKeyPair.NotFound.
  const result = await aws
    .ec2()
    .send(new DescribeKeyPairsCommand({ Filters: [{ Name: 'key-name', Values: [name] }] }));
  if ((result.KeyPairs ?? []).some((k) => k.KeyName === name)) return [];
  return [
    problem(
      ['backend', 'keyName'],
      `key pair ${name} does not exist in ${config.region}: key pairs are regional; import it (aws ec2 import-key-pair --region ${config.region}), or remove backend.keyName and connect with Session Manager`,
    ),
  ];
}

/**
 * What the backend needs from the region before anything is created: the VPC and subnets, the AMI (or
 * its SSM parameter), the instance type in the subnets' zones, the key pair. Read-only. Without it a
 * wrong value is found out only when the launch template or the Auto Scaling group is created, after
 * the certificates, bucket and load balancer already are.
 */
export async function checkBackend(aws: Aws, config: Config): Promise<BackendCheck> {
  const [network, image, keyPair] = await Promise.all([
    checkNetwork(aws, config),
    checkImage(aws, config),
    checkKeyPair(aws, config),
  ]);
  const zones = network.subnets?.zones;
  const instanceType = await checkInstanceType(aws, config, zones?.length ? zones : undefined);
  const problems = [...network.problems, ...image, ...instanceType, ...keyPair];
  return network.subnets ? { problems, subnets: network.subnets } : { problems };
}
