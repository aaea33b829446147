import { z } from 'zod';
import { cidrProblem } from './cidr.js';
import { AWS_REGIONS } from './regions.js';
import {
  AMI_PATTERN,
  bucketName,
  cloudFrontPath,
  DNS_LABEL_PATTERN,
  HEALTH_CHECK_PATH_PATTERN,
  hostedZoneId,
  hostname,
  INSTANCE_TYPE_PATTERN,
  type Rule,
  STACK_PATTERN,
  SUBNET_ID_PATTERN,
  stackName,
  VPC_ID_PATTERN,
} from './rules.js';

/**
 * The config file's schema: every field of the contract (ARCHITECTURE §1) with its default.
 * Semantic checks that need more than one field (min ≤ desired ≤ max, aliases under the domain,
 * files that must exist) live in validate.ts so that all errors can be reported at once.
 *
 * A custom error text here is what the value is expected to be ("a domain name such as …"): the loader
 * prints it after what was found. Checks that a JSON Schema can express are written as patterns and enums
 * so that editors show them too.
 */

/** A string checked by a rule; the rule's guess, if any, travels as `params.suggestion`. */
function follows(rule: Rule) {
  return z.string().check((ctx) => {
    const problem = rule(ctx.value);
    if (!problem) return;
    ctx.issues.push({
      code: 'custom',
      message: problem.expected,
      input: ctx.value,
      params: problem.suggestion === undefined ? {} : { suggestion: problem.suggestion },
      continue: true,
    });
  });
}

function pattern(regex: RegExp, expected: string) {
  return z.string().regex(regex, { error: expected });
}

/** The latest Amazon Linux 2023 for x86_64, looked up in SSM at `up` time. */
export const DEFAULT_AMI = 'ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';

const nonEmpty = z.string().min(1, { error: 'a non-empty string' });

export const scalingSchema = z
  .strictObject({
    min: z.int().min(0).default(1).describe('Smallest number of instances'),
    desired: z.int().min(0).default(2).describe('Number of instances to run normally'),
    max: z.int().min(1).default(4).describe('Largest number of instances'),
    cpuTarget: z.number().min(1).max(100).default(50).describe('Average CPU % the scaling policy aims for'),
  })
  .describe('Auto Scaling group sizes and the target-tracking CPU policy');

const backend = z
  .strictObject({
    instanceType: pattern(INSTANCE_TYPE_PATTERN, 'an EC2 instance type such as t3.small')
      .default('t3.small')
      .describe('EC2 instance type'),
    ami: pattern(AMI_PATTERN, 'an AMI id (ami-0123456789abcdef0) or ssm:/<parameter name>')
      .default(DEFAULT_AMI)
      .describe('An AMI id (ami-…) or ssm:<parameter name> resolving to one'),
    port: z.int().min(1).max(65535).default(8080).describe('Port the backend listens on'),
    healthCheckPath: pattern(
      HEALTH_CHECK_PATH_PATTERN,
      'a URL path that starts with "/", at most 1024 characters',
    )
      .default('/api/health')
      .describe('Path the load balancer health check requests'),
    userData: nonEmpty.optional().describe('User data script, path relative to the config file'),
    keyName: z
      .string()
      .min(1)
      .max(255, { error: 'a key pair name of 1–255 characters' })
      .optional()
      .describe('EC2 key pair name for SSH'),
    scaling: scalingSchema.prefault({}),
    elasticIp: z.boolean().default(true).describe('Associate an Elastic IP with one in-service instance'),
    sshCidrs: z
      .array(follows(cidrProblem))
      .default([])
      .describe('Addresses allowed to SSH; no SSH rule when empty'),
    vpcId: pattern(VPC_ID_PATTERN, 'a VPC id such as vpc-0123456789abcdef0')
      .optional()
      .describe('VPC id; default VPC when absent'),
    subnetIds: z
      .array(pattern(SUBNET_ID_PATTERN, 'a subnet id such as subnet-0123456789abcdef0'))
      .min(2, { error: 'at least two subnets (a load balancer needs two Availability Zones)' })
      .optional()
      .describe("Subnet ids; the VPC's default subnets when absent"),
  })
  .describe('The backend API on EC2 behind an Application Load Balancer');

const frontend = z
  .strictObject({
    bucket: follows(bucketName)
      .optional()
      .describe('Bucket name; derived from stack and account id when absent'),
    dir: nonEmpty.default('./dist').describe('Folder sync-frontend uploads, relative to the config file'),
    routing: z
      .enum(['spa', 'static', 'none'])
      .default('spa')
      .describe('spa: extension-less paths serve /index.html; static: /dir/ serves /dir/index.html; none'),
    cacheControl: z
      .array(z.strictObject({ match: nonEmpty, value: nonEmpty }))
      .optional()
      .describe('Ordered Cache-Control rules (glob → header value); the first match wins'),
    invalidationThreshold: z
      .int()
      .min(1)
      .default(15)
      .describe('More changed paths than this are invalidated as /*'),
  })
  .describe('The built frontend in a private S3 bucket');

const dns = z
  .strictObject({
    hostedZoneId: follows(hostedZoneId)
      .optional()
      .describe('Route 53 hosted zone id; found by domain name when absent'),
    originName: pattern(DNS_LABEL_PATTERN, 'one DNS label of a-z, 0-9 and "-", such as origin')
      .default('origin')
      .describe('<originName>.<domain> is the name CloudFront uses to reach the load balancer'),
  })
  .describe('Route 53');

const cdn = z
  .strictObject({
    priceClass: z
      .enum(['PriceClass_100', 'PriceClass_200', 'PriceClass_All'])
      .default('PriceClass_100')
      .describe('CloudFront price class'),
    apiPath: follows(cloudFrontPath)
      .default('/api/*')
      .describe('Path pattern CloudFront sends to the load balancer'),
    albOpenToInternet: z
      .boolean()
      .default(false)
      .describe('Open the load balancer on 443 to anywhere instead of only CloudFront'),
  })
  .describe('CloudFront');

const waits = z
  .strictObject({
    pollSeconds: z.number().positive().default(10).describe('Seconds between two polls of a long wait'),
    certificateMinutes: z.number().positive().default(45).describe('Longest wait for certificate validation'),
    distributionMinutes: z.number().positive().default(30).describe('Longest wait for CloudFront to deploy'),
    loadBalancerMinutes: z.number().positive().default(15).describe('Longest wait for the load balancer'),
    instancesMinutes: z
      .number()
      .positive()
      .default(20)
      .describe('Longest wait for instances (refresh, termination)'),
  })
  .describe('Every wait is bounded');

const state = z
  .strictObject({
    path: nonEmpty
      .default('.tekamolo/state.json')
      .describe('State file, relative to the folder of the config file'),
  })
  .describe('Where tekamolo keeps what it created');

export const configSchema = z
  .strictObject({
    $schema: z.string().optional().describe('JSON Schema reference for editors; ignored'),
    stack: follows(stackName)
      .regex(STACK_PATTERN)
      .describe('Stack name: [a-z0-9-], 1–20 characters; prefixes every name and tag'),
    region: z
      .enum(AWS_REGIONS, { error: 'a region of the commercial AWS partition, such as eu-central-1' })
      .describe('Region of the bucket, load balancer and instances'),
    domain: follows(hostname).describe('The apex domain the site is served on'),
    aliases: z
      .array(follows(hostname))
      .optional()
      .describe('Further names CloudFront serves (default: www.<domain>)'),
    dns: dns.prefault({}),
    frontend: frontend.prefault({}),
    backend: backend.prefault({}),
    cdn: cdn.prefault({}),
    waits: waits.prefault({}),
    state: state.prefault({}),
    tags: z.record(z.string(), z.string()).default({}).describe('Tags added to every taggable resource'),
  })
  .describe('tekamolo stack configuration');

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
