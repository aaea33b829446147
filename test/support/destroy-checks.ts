import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  ListDistributionsCommand,
  ListOriginAccessControlsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-cloudfront';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSecurityGroupsCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ChangeResourceRecordSetsCommand, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketTaggingCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { hasErrorName, isNotFound } from '../../src/aws/errors.js';
import type { StateFile } from '../../src/state/types.js';
import {
  CLI,
  type CliRun,
  createZone,
  type E2eProject,
  runCli,
  Sdk,
  stackCertificates,
  writeProject,
  zoneRecords,
} from './e2e.js';
import type { Moto } from './moto.js';

/**
 * What the `destroy` end-to-end files share: the checks that read, through the SDK and never through
 * tekamolo, everything of the stack left in the account, the foreign look-alikes destroy must leave
 * alone, a bucket with history, and the confirmation typed on a terminal.
 */

/** The stack both destroy files build. */
export const STACK = 'gone';
const STACK_TAG = 'tekamolo:stack';

interface Tagged {
  Key?: string;
  Value?: string;
}

function ours(tags: Tagged[] | undefined, stack = STACK): boolean {
  return (tags ?? []).some((t) => t.Key === STACK_TAG && t.Value === stack);
}

/**
 * Everything tagged with the stack (or, for what AWS cannot tag, named or written as tekamolo does), in
 * every service and both regions, read through the SDK. One line per resource, e.g. `ec2 instance i-…`.
 */
export async function stackLeftovers(
  sdk: Sdk,
  s3: S3Client,
  project: E2eProject,
  zoneId: string,
): Promise<string[]> {
  const found: string[] = [];
  for (const acm of [sdk.acmGlobal, sdk.acmHere]) {
    const region = await acm.config.region();
    for (const arn of await stackCertificates(acm, STACK)) found.push(`acm ${region} ${arn}`);
  }

  const tagFilter = [{ Name: `tag:${STACK_TAG}`, Values: [STACK] }];
  const groups = await sdk.ec2.send(new DescribeSecurityGroupsCommand({ Filters: tagFilter }));
  for (const g of groups.SecurityGroups ?? []) found.push(`ec2 security-group ${g.GroupId} ${g.GroupName}`);
  const templates = await sdk.ec2.send(new DescribeLaunchTemplatesCommand({}));
  for (const t of templates.LaunchTemplates ?? []) {
    if (ours(t.Tags) || t.LaunchTemplateName?.startsWith(`${STACK}-`)) {
      found.push(`ec2 launch-template ${t.LaunchTemplateId} ${t.LaunchTemplateName}`);
    }
  }
  const addresses = await sdk.ec2.send(new DescribeAddressesCommand({ Filters: tagFilter }));
  for (const a of addresses.Addresses ?? []) found.push(`ec2 address ${a.AllocationId}`);
  const instances = await sdk.ec2.send(
    new DescribeInstancesCommand({
      Filters: [
        ...tagFilter,
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
      ],
    }),
  );
  for (const r of instances.Reservations ?? []) {
    for (const i of r.Instances ?? []) found.push(`ec2 instance ${i.InstanceId} ${i.State?.Name}`);
  }

  const balancers = await sdk.elbv2.send(new DescribeLoadBalancersCommand({}));
  const targetGroups = await sdk.elbv2.send(new DescribeTargetGroupsCommand({}));
  const elbArns = [
    ...(balancers.LoadBalancers ?? []).map((l) => String(l.LoadBalancerArn)),
    ...(targetGroups.TargetGroups ?? []).map((t) => String(t.TargetGroupArn)),
  ];
  for (let i = 0; i < elbArns.length; i += 20) {
    const tags = await sdk.elbv2.send(new DescribeTagsCommand({ ResourceArns: elbArns.slice(i, i + 20) }));
    for (const d of tags.TagDescriptions ?? []) {
      const kind = d.ResourceArn?.includes(':loadbalancer/') ? 'load-balancer' : 'target-group';
      if (ours(d.Tags)) found.push(`elbv2 ${kind} ${d.ResourceArn}`);
    }
  }

  const groupsAsg = await sdk.autoscaling.send(new DescribeAutoScalingGroupsCommand({}));
  for (const g of groupsAsg.AutoScalingGroups ?? []) {
    if (ours(g.Tags) || g.AutoScalingGroupName?.startsWith(`${STACK}-`)) {
      found.push(`autoscaling group ${g.AutoScalingGroupName}`);
    }
  }

  const distributions = await sdk.cloudfront.send(new ListDistributionsCommand({}));
  for (const d of distributions.DistributionList?.Items ?? []) {
    const tags = await sdk.cloudfront.send(new ListTagsForResourceCommand({ Resource: d.ARN }));
    if (d.Comment === `tekamolo:${STACK}` || ours(tags.Tags?.Items)) {
      found.push(`cloudfront distribution ${d.Id} ${d.Status}`);
    }
  }
  const oacs = await sdk.cloudfront.send(new ListOriginAccessControlsCommand({}));
  for (const o of oacs.OriginAccessControlList?.Items ?? []) {
    // An origin access control has no tags: its name is the stack's mark.
    if (o.Name?.startsWith(`${STACK}-`)) found.push(`cloudfront oac ${o.Id} ${o.Name}`);
  }

  const buckets = await s3.send(new ListBucketsCommand({}));
  for (const b of buckets.Buckets ?? []) {
    const tags = await s3
      .send(new GetBucketTaggingCommand({ Bucket: b.Name }))
      .catch((error: unknown) =>
        isNotFound(error) || hasErrorName(error, 'NoSuchTagSet') ? { TagSet: [] } : Promise.reject(error),
      );
    if (ours(tags.TagSet) || b.Name === project.bucket) found.push(`s3 bucket ${b.Name}`);
  }

  for (const r of await zoneRecords(sdk.route53, zoneId)) {
    if (writtenByTekamolo(r, project.domain)) found.push(`route53 ${r.Type} ${r.Name}`);
  }
  return found;
}

/** The records tekamolo writes: the site aliases, the origin alias and the certificates' validation CNAMEs. */
export function writtenByTekamolo(record: ResourceRecordSet, domain: string): boolean {
  const name = String(record.Name).replace(/\.$/, '');
  if ((record.Type === 'A' || record.Type === 'AAAA') && record.AliasTarget) {
    return name === domain || name === `www.${domain}` || name === `origin.${domain}`;
  }
  return (
    record.Type === 'CNAME' &&
    name.startsWith('_') &&
    record.ResourceRecords?.[0]?.Value?.includes('acm-validations') === true
  );
}

/**
 * Runs the CLI on a pseudo-terminal (python3's pty module: moto_server comes with python3) and types
 * `answer` when the confirmation asks for the stack name. Resolves with the screen text and exit code.
 */
const PTY_DRIVER = `
import os, pty, select, sys, time
answer = sys.argv[1].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
out, sent, deadline = b'', False, time.time() + 120
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.2)
    if not ready:
        continue
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    if not sent and b'Type the stack name' in out:
        os.write(fd, answer + b'\\r')
        sent = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors='replace'))
sys.exit(os.waitstatus_to_exitcode(status))
`;

export function destroyOnTerminal(answer: string, args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  return new Promise<{ code: number | null; screen: string }>((ok, fail) => {
    const child = spawn('python3', ['-c', PTY_DRIVER, answer, process.execPath, CLI, ...args], {
      env,
      cwd,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let screen = '';
    child.stdout.on('data', (d: Buffer) => {
      screen += d.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => ok({ code, screen }));
  });
}

/** What the account had besides the stack: look-alikes that destroy must leave alone. */
export interface Foreign {
  buckets: string[];
  groupIds: string[];
  records: { name: string; type: string }[];
}

export async function createForeign(
  sdk: Sdk,
  s3: S3Client,
  zoneId: string,
  domain: string,
): Promise<Foreign> {
  const stamp = `${process.pid}-${Date.now()}`;
  // Named like the stack's bucket but untagged, and one tagged by another stack.
  const buckets = [`${STACK}-site-foreign-${stamp}`, `other-site-${stamp}`];
  for (const bucket of buckets) {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' },
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'keep.txt', Body: 'not tekamolo' }));
  }
  await s3.send(
    new PutBucketTaggingCommand({
      Bucket: buckets[1],
      Tagging: { TagSet: [{ Key: STACK_TAG, Value: 'other' }] },
    }),
  );

  const groupIds: string[] = [];
  for (const [name, tags] of [
    [`${STACK}-foreign`, []],
    ['other-alb', [{ Key: STACK_TAG, Value: 'other' }]],
  ] as const) {
    const group = await sdk.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: name,
        Description: 'not tekamolo',
        ...(tags.length ? { TagSpecifications: [{ ResourceType: 'security-group', Tags: [...tags] }] } : {}),
      }),
    );
    const id = String(group.GroupId);
    await sdk.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: id,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        ],
      }),
    );
    groupIds.push(id);
  }

  const records = [
    { name: `mail.${domain}`, type: 'A', value: '192.0.2.25' },
    { name: `api.${domain}`, type: 'CNAME', value: 'api.example.net' },
    { name: domain, type: 'TXT', value: '"v=spf1 -all"' },
    { name: `_foreign.${domain}`, type: 'CNAME', value: '_foreign.example.net' },
  ];
  await sdk.route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: records.map((r) => ({
          Action: 'CREATE' as const,
          ResourceRecordSet: {
            Name: r.name,
            Type: r.type as 'A',
            TTL: 300,
            ResourceRecords: [{ Value: r.value }],
          },
        })),
      },
    }),
  );
  return { buckets, groupIds, records: records.map(({ name, type }) => ({ name, type })) };
}

/** A bucket with history: versioning on, objects, an overwritten one and a delete marker. */
export async function fillBucket(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(
    new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
  );
  for (const key of ['index.html', 'app.js', 'old.css']) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `${key} v1`.repeat(50) }));
  }
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'index.html', Body: 'v2' }));
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'old.css' }));
}

export async function bucketExists(s3: S3Client, bucket: string): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

export async function versionCount(
  s3: S3Client,
  bucket: string,
): Promise<{ versions: number; markers: number }> {
  const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
  return { versions: listed.Versions?.length ?? 0, markers: listed.DeleteMarkers?.length ?? 0 };
}

export async function readState(project: E2eProject): Promise<StateFile> {
  return JSON.parse(await readFile(project.stateFile, 'utf8')) as StateFile;
}

export function kinds(leftovers: string[]): string[] {
  return [...new Set(leftovers.map((l) => l.split(' ').slice(0, 2).join(' ')))].sort();
}

/** The bucket's line in the destroy listing, with its object count (on the line or the next one). */
export const BUCKET_LINE = /- bucket [^\n]*(\n\s+)?[^\n]*\b2 objects, /;

/** What a complete stack leaves in the account, by kind (the check of the check). */
export const ALL_KINDS = [
  'acm eu-central-1',
  'acm us-east-1',
  'autoscaling group',
  'cloudfront distribution',
  'cloudfront oac',
  'ec2 address',
  'ec2 instance',
  'ec2 launch-template',
  'ec2 security-group',
  'elbv2 load-balancer',
  'elbv2 target-group',
  'route53 A',
  'route53 AAAA',
  'route53 CNAME',
  's3 bucket',
];

/** One test's stack folder, zone and CLI, against the file's emulator. */
export interface DestroyBench {
  readonly sdk: Sdk;
  readonly s3: S3Client;
  readonly project: E2eProject;
  readonly zoneId: string;
  readonly env: NodeJS.ProcessEnv;
  cli(args: string[], trace?: string): Promise<CliRun>;
  /** A fresh trace file name in the project folder. */
  traceFile(): string;
  leftovers(): Promise<string[]>;
  /** `up` that must succeed. */
  up(args?: string[], trace?: string): Promise<void>;
}

/** Registers the hooks: SDK clients for the file, a project folder and hosted zone for each test. */
export function useDestroyBench(moto: Moto): DestroyBench {
  let sdk: Sdk;
  let s3: S3Client;
  let project: E2eProject;
  let zoneId: string;
  let env: NodeJS.ProcessEnv;
  let traces = 0;

  beforeAll(async () => {
    sdk = new Sdk('eu-central-1');
    s3 = new S3Client({ region: 'eu-central-1' });
  });
  afterAll(async () => {
    sdk?.destroy();
    s3?.destroy();
  });
  beforeEach(async () => {
    project = await writeProject({ stack: STACK });
    zoneId = await createZone(project.domain);
    env = moto.env({ AWS_EC2_METADATA_DISABLED: 'true', NODE_OPTIONS: '--no-warnings' });
  });
  afterEach(async () => {
    await rm(project.dir, { recursive: true, force: true });
  });

  const cli = (args: string[], trace?: string): Promise<CliRun> =>
    runCli(['-c', project.config, ...(trace ? ['--trace', trace] : []), ...args], { env, cwd: project.dir });
  return {
    get sdk() {
      return sdk;
    },
    get s3() {
      return s3;
    },
    get project() {
      return project;
    },
    get zoneId() {
      return zoneId;
    },
    get env() {
      return env;
    },
    cli,
    traceFile: () => `${project.dir}/trace-${++traces}.jsonl`,
    leftovers: () => stackLeftovers(sdk, s3, project, zoneId),
    async up(args = [], trace) {
      const run = await cli(['up', ...args], trace);
      expect(run.stderr).not.toMatch(/error/i);
      expect(run.code).toBe(0);
    },
  };
}
