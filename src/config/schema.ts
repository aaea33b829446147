import * as z from 'zod/mini';
import { cidrProblem } from './cidr.js';
import { MAX_WAIT_MINUTES, MAX_WAIT_SECONDS, TIMER_LIMIT_REASON } from './limits.js';
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
import { STAGE_PATTERN, STAGE_RULE } from './stages.js';

/**
 * The config file's schema: every field of the contract (ARCHITECTURE §1) with its default.
 * Semantic checks that need more than one field (min ≤ desired ≤ max, aliases under the domain,
 * files that must exist) live in validate.ts so that all errors can be reported at once.
 *
 * A custom error text here is what the value is expected to be ("a domain name such as …"): the loader
 * prints it after what was found. Checks that a JSON Schema can express are written as patterns and enums
 * so that editors show them too.
 *
 * Written with zod/mini, the tree-shakable form of zod 4 (same parser, functions instead of methods):
 * `tekamolo validate` loads about half as much code as with the classic API, which shows in its start-up.
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
  return z.string().check(z.regex(regex, { error: expected }));
}

/** What a field is for: editors show it from the JSON Schema, and a missing required field cites it. */
function about<T extends z.ZodMiniType>(schema: T, description: string): T {
  z.globalRegistry.add(schema as z.core.$ZodType, { description });
  return schema;
}

function withDefault<T extends z.ZodMiniType>(
  schema: T,
  value: z.core.util.NoUndefined<z.output<T>>,
  description: string,
) {
  return about(z._default(schema, value), description);
}

function optional<T extends z.ZodMiniType>(schema: T, description: string) {
  return about(z.optional(schema), description);
}

const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.int().check(z.minimum(min), z.maximum(max));
/** A positive number of seconds or minutes that a timer can hold (see limits.ts). */
const waitLength = (max: number, unit: string) =>
  z
    .number()
    .check(z.positive(), z.maximum(max, { error: `a number of ${unit} ≤ ${max} (${TIMER_LIMIT_REASON})` }));

/** The latest Amazon Linux 2023 for x86_64, looked up in SSM at `up` time. */
export const DEFAULT_AMI = 'ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';

const nonEmpty = () => z.string().check(z.minLength(1, { error: 'a non-empty string' }));

export const scalingSchema = about(
  z.strictObject({
    min: withDefault(wholeNumber(0), 1, 'Smallest number of instances'),
    desired: withDefault(wholeNumber(0), 2, 'Number of instances to run normally'),
    max: withDefault(wholeNumber(1), 4, 'Largest number of instances'),
    cpuTarget: withDefault(
      z.number().check(z.minimum(1), z.maximum(100)),
      50,
      'Average CPU % the scaling policy aims for',
    ),
  }),
  'Auto Scaling group sizes and the target-tracking CPU policy',
);

const backend = about(
  z.strictObject({
    instanceType: withDefault(
      pattern(INSTANCE_TYPE_PATTERN, 'an EC2 instance type such as t3.small'),
      't3.small',
      'EC2 instance type',
    ),
    ami: withDefault(
      pattern(AMI_PATTERN, 'an AMI id (ami-0123456789abcdef0) or ssm:/<parameter name>'),
      DEFAULT_AMI,
      'An AMI id (ami-…) or ssm:<parameter name> resolving to one',
    ),
    port: withDefault(wholeNumber(1, 65535), 8080, 'Port the backend listens on'),
    healthCheckPath: withDefault(
      pattern(HEALTH_CHECK_PATH_PATTERN, 'a URL path that starts with "/", at most 1024 characters'),
      '/api/health',
      'Path the load balancer health check requests',
    ),
    userData: optional(nonEmpty(), 'User data script, path relative to the config file'),
    keyName: optional(
      z.string().check(z.minLength(1), z.maxLength(255, { error: 'a key pair name of 1–255 characters' })),
      'EC2 key pair name for SSH',
    ),
    scaling: z.prefault(scalingSchema, {}),
    elasticIp: withDefault(z.boolean(), true, 'Associate an Elastic IP with one in-service instance'),
    sessionManager: withDefault(
      z.boolean(),
      true,
      'Give the instances an IAM role with AmazonSSMManagedInstanceCore, so Session Manager (tekamolo connect) reaches them without an SSH key',
    ),
    sshCidrs: withDefault(
      z.array(follows(cidrProblem)),
      [],
      'Addresses allowed to SSH; no SSH rule when empty',
    ),
    vpcId: optional(
      pattern(VPC_ID_PATTERN, 'a VPC id such as vpc-0123456789abcdef0'),
      'VPC id; default VPC when absent',
    ),
    subnetIds: optional(
      z
        .array(pattern(SUBNET_ID_PATTERN, 'a subnet id such as subnet-0123456789abcdef0'))
        .check(
          z.minLength(2, { error: 'at least two subnets (a load balancer needs two Availability Zones)' }),
        ),
      "Subnet ids; the VPC's default subnets when absent",
    ),
  }),
  'The backend API on EC2 behind an Application Load Balancer',
);

const frontend = about(
  z.strictObject({
    bucket: optional(follows(bucketName), 'Bucket name; derived from stack and account id when absent'),
    dir: withDefault(nonEmpty(), './dist', 'Folder sync-frontend uploads, relative to the config file'),
    routing: withDefault(
      z.enum(['spa', 'static', 'none']),
      'spa',
      'spa: extension-less paths serve /index.html; static: /dir/ serves /dir/index.html; none',
    ),
    cacheControl: optional(
      z.array(
        z.strictObject({
          match: nonEmpty(),
          // A line break in a header value would end the header (S3 refuses the request half-way
          // through a sync); other control characters are refused by HTTP clients.
          value: pattern(
            /^[\x20-\x7e]+$/,
            'a header value of printable ASCII characters, without line breaks or control characters',
          ),
        }),
      ),
      'Ordered Cache-Control rules (glob → header value); the first match wins',
    ),
    invalidationThreshold: withDefault(
      wholeNumber(1),
      15,
      'More changed paths than this are invalidated as /*',
    ),
    include: optional(
      z.array(nonEmpty()),
      'Globs of files published although private by default (dotfiles, secret-looking names)',
    ),
    exclude: optional(z.array(nonEmpty()), 'Globs of files never published; wins over include'),
  }),
  'The built frontend in a private S3 bucket',
);

const dns = about(
  z.strictObject({
    hostedZoneId: optional(
      follows(hostedZoneId),
      'Route 53 hosted zone id; found by domain name when absent',
    ),
    originName: withDefault(
      pattern(DNS_LABEL_PATTERN, 'one DNS label of a-z, 0-9 and "-", such as origin'),
      'origin',
      '<originName>.<domain> is the name CloudFront uses to reach the load balancer',
    ),
  }),
  'Route 53',
);

const cdn = about(
  z.strictObject({
    priceClass: withDefault(
      z.enum(['PriceClass_100', 'PriceClass_200', 'PriceClass_All']),
      'PriceClass_100',
      'CloudFront price class',
    ),
    apiPath: withDefault(
      follows(cloudFrontPath),
      '/api/*',
      'Path pattern CloudFront sends to the load balancer',
    ),
    albOpenToInternet: withDefault(
      z.boolean(),
      false,
      'Open the load balancer on 443 to anywhere instead of only CloudFront',
    ),
  }),
  'CloudFront',
);

const seconds = () => waitLength(MAX_WAIT_SECONDS, 'seconds');
const minutes = () => waitLength(MAX_WAIT_MINUTES, 'minutes');

const waits = about(
  z.strictObject({
    pollSeconds: withDefault(seconds(), 10, 'Seconds between two polls of a long wait'),
    certificateMinutes: withDefault(minutes(), 45, 'Longest wait for certificate validation'),
    distributionMinutes: withDefault(minutes(), 30, 'Longest wait for CloudFront to deploy'),
    loadBalancerMinutes: withDefault(minutes(), 15, 'Longest wait for the load balancer'),
    instancesMinutes: withDefault(minutes(), 20, 'Longest wait for instances (refresh, termination)'),
  }),
  'Every wait is bounded',
);

/** The lock lives at `<key>.lock`, and a key ending in "/" reads as a folder in every S3 console. */
const STATE_KEY_PATTERN = /^(?!.*(?:\/|\.lock)$)[^\n\r]{1,1000}$/;

const state = about(
  z.strictObject({
    path: withDefault(
      nonEmpty(),
      '.tekamolo/state.json',
      'State file, relative to the folder of the config file',
    ),
    bucket: optional(
      follows(bucketName),
      'S3 bucket for a state shared by a team or CI (with a lock); state.path is used when absent',
    ),
    key: optional(
      pattern(STATE_KEY_PATTERN, 'an S3 key of 1–1000 characters, not ending in "/" or ".lock"'),
      'Object key of the state in state.bucket (default: <stack>/default.json)',
    ),
    region: optional(
      z.enum(AWS_REGIONS, { error: 'a region of the commercial AWS partition, such as eu-central-1' }),
      "Region of state.bucket (default: the stack's region)",
    ),
  }),
  'Where tekamolo keeps what it created',
);

export const configSchema = about(
  z.strictObject({
    $schema: optional(z.string(), 'JSON Schema reference for editors; ignored'),
    stack: about(
      follows(stackName).check(z.regex(STACK_PATTERN)),
      'Stack name: [a-z0-9-], 1–20 characters; prefixes every name and tag',
    ),
    region: about(
      z.enum(AWS_REGIONS, { error: 'a region of the commercial AWS partition, such as eu-central-1' }),
      'Region of the bucket, load balancer and instances',
    ),
    domain: about(follows(hostname), 'The apex domain the site is served on'),
    aliases: optional(z.array(follows(hostname)), 'Further names CloudFront serves (default: www.<domain>)'),
    dns: z.prefault(dns, {}),
    frontend: z.prefault(frontend, {}),
    backend: z.prefault(backend, {}),
    cdn: z.prefault(cdn, {}),
    waits: z.prefault(waits, {}),
    state: z.prefault(state, {}),
    tags: withDefault(z.record(z.string(), z.string()), {}, 'Tags added to every taggable resource'),
    stages: optional(
      z.record(pattern(STAGE_PATTERN, `a stage name of ${STAGE_RULE}`), z.record(z.string(), z.unknown())),
      'Per stage (--stage NAME or TEKAMOLO_STAGE): fields that differ from the rest of this file',
    ),
  }),
  'tekamolo stack configuration',
);

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
