import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { GetDistributionCommand } from '@aws-sdk/client-cloudfront';
import { DescribeAddressesCommand } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import type { Aws } from '../aws/clients.js';
import { orUndefined } from '../aws/errors.js';
import type { Names } from '../config/names.js';
import type { Config } from '../config/schema.js';
import type {
  AutoScalingGroupOutputs,
  BucketOutputs,
  DistributionOutputs,
  ElasticIpOutputs,
  LoadBalancerOutputs,
} from '../resources/outputs.js';
import type { ResourceState } from '../state/types.js';
import { apiPrefix } from '../status/summary.js';

/** What `tekamolo outputs` prints (the README lists the JSON fields). */
export interface StackOutputs {
  stack: string;
  /** The stage selected (--stage, TEKAMOLO_STAGE); null for a config without stages. */
  stage: string | null;
  account: string;
  region: string;
  urls: { site: string[]; api: string; cloudfront: string | null };
  bucket: string | null;
  distribution: { id: string; domainName: string } | null;
  loadBalancer: { dnsName: string } | null;
  elasticIp: string | null;
  instances: string[];
  /** Values the state names but AWS does not have, or the state does not name: `up` puts them back. */
  missing: string[];
}

export interface OutputsInput {
  aws: Aws;
  config: Config;
  names: Names;
  accountId: string;
  stage?: string;
  /** The saved entry of a resource key (the state file). */
  saved: (key: string) => ResourceState | undefined;
}

function field<T>(entry: ResourceState | undefined, name: keyof T & string): string | undefined {
  const value = entry?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The stack's outputs: ids from the state (a hint), each confirmed by one read of AWS, all reads at
 * once. A value the state names but AWS no longer has is reported as missing, never printed as if
 * it existed.
 */
export async function readOutputs(input: OutputsInput): Promise<StackOutputs> {
  const { aws, config, names, saved } = input;
  const bucketName = field<BucketOutputs>(saved('bucket'), 'name');
  const distributionId = field<DistributionOutputs>(saved('distribution'), 'id');
  const loadBalancerArn = field<LoadBalancerOutputs>(saved('loadBalancer'), 'arn');
  const allocationId = field<ElasticIpOutputs>(saved('elasticIp'), 'allocationId');
  const groupName = field<AutoScalingGroupOutputs>(saved('autoScalingGroup'), 'name');

  const [bucket, distribution, loadBalancer, elasticIp, instances] = await Promise.all([
    bucketName &&
      orUndefined(aws.s3().send(new HeadBucketCommand({ Bucket: bucketName }))).then((found) =>
        found ? bucketName : undefined,
      ),
    distributionId &&
      orUndefined(aws.cloudfront().send(new GetDistributionCommand({ Id: distributionId }))).then((found) =>
        found?.Distribution?.DomainName
          ? { id: distributionId, domainName: found.Distribution.DomainName }
          : undefined,
      ),
    loadBalancerArn &&
      orUndefined(
        aws.elbv2().send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [loadBalancerArn] })),
      ).then((found) => {
        const dnsName = found?.LoadBalancers?.[0]?.DNSName;
        return dnsName ? { dnsName } : undefined;
      }),
    config.backend.elasticIp && allocationId
      ? orUndefined(aws.ec2().send(new DescribeAddressesCommand({ AllocationIds: [allocationId] }))).then(
          (found) => found?.Addresses?.[0]?.PublicIp,
        )
      : undefined,
    groupName &&
      aws
        .autoscaling()
        .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }))
        .then((found) => found.AutoScalingGroups?.[0]?.Instances?.flatMap((i) => i.InstanceId ?? [])),
  ]);

  const missing: string[] = [];
  const check = <T>(key: string, value: T | '' | undefined, wanted = true): T | null => {
    if (value) return value;
    if (wanted) missing.push(key);
    return null;
  };
  return {
    stack: config.stack,
    stage: input.stage ?? null,
    account: input.accountId,
    region: config.region,
    urls: {
      site: names.siteNames.map((name) => `https://${name}/`),
      api: `https://${config.domain}${apiPrefix(config.cdn.apiPath)}`,
      cloudfront: distribution ? `https://${distribution.domainName}/` : null,
    },
    bucket: check('bucket', bucket),
    distribution: check('distribution', distribution),
    loadBalancer: check('loadBalancer', loadBalancer),
    elasticIp: check('elasticIp', elasticIp, config.backend.elasticIp),
    instances: check('autoScalingGroup', instances) ?? [],
    missing,
  };
}
