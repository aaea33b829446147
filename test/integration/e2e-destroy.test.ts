import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasErrorName, isNotFound } from '../../src/aws/errors.js';
import type { StateFile } from '../../src/state/types.js';
import {
  CLI,
  type CliRun,
  changingCalls,
  createZone,
  type E2eProject,
  killAfterCalls,
  readTrace,
  runCli,
  Sdk,
  stackCertificates,
  startCli,
  writeProject,
  zoneRecords,
} from '../support/e2e.js';
import { motoAvailable, useMoto } from '../support/moto.js';
import { callsNotInPolicy } from '../support/policy.js';

/**
 * `tekamolo destroy` end to end: the built CLI against moto_server, checked through the SDK (never through
 * tekamolo): everything tagged with the stack is gone, anything else (foreign look-alikes, the hosted
 * zone and its other records) is untouched; a destroy killed mid-way is finished by the next one; the
 * confirmation, --no-wait, --keep-bucket, a lost state file and plan --destroy.
 */

const STACK = 'gone';
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
async function stackLeftovers(
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
function writtenByTekamolo(record: ResourceRecordSet, domain: string): boolean {
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

import { destroyPlanDocument, outputsDocument } from '../../src/output/json-schema.js';
import { expectDocument, expectEventLines } from '../support/json-contract.js';

function destroyOnTerminal(answer: string, args: string[], env: NodeJS.ProcessEnv, cwd: string) {
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
interface Foreign {
  buckets: string[];
  groupIds: string[];
  records: { name: string; type: string }[];
}

async function createForeign(sdk: Sdk, s3: S3Client, zoneId: string, domain: string): Promise<Foreign> {
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
async function fillBucket(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(
    new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
  );
  for (const key of ['index.html', 'app.js', 'old.css']) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `${key} v1`.repeat(50) }));
  }
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'index.html', Body: 'v2' }));
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'old.css' }));
}

async function bucketExists(s3: S3Client, bucket: string): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

async function versionCount(s3: S3Client, bucket: string): Promise<{ versions: number; markers: number }> {
  const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
  return { versions: listed.Versions?.length ?? 0, markers: listed.DeleteMarkers?.length ?? 0 };
}

async function readState(project: E2eProject): Promise<StateFile> {
  return JSON.parse(await readFile(project.stateFile, 'utf8')) as StateFile;
}

function kinds(leftovers: string[]): string[] {
  return [...new Set(leftovers.map((l) => l.split(' ').slice(0, 2).join(' ')))].sort();
}

/** The bucket's line in the destroy listing, with its object count (on the line or the next one). */
const BUCKET_LINE = /- bucket [^\n]*(\n\s+)?[^\n]*\b2 objects, /;

/** What a complete stack leaves in the account, by kind (the check of the check). */
const ALL_KINDS = [
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

describe.skipIf(!motoAvailable())('destroy end to end', () => {
  const moto = useMoto();
  let sdk: Sdk;
  let s3: S3Client;
  let project: E2eProject;
  let zoneId: string;
  let env: NodeJS.ProcessEnv;
  let traces = 0;

  const cli = (args: string[], trace?: string): Promise<CliRun> =>
    runCli(['-c', project.config, ...(trace ? ['--trace', trace] : []), ...args], { env, cwd: project.dir });
  const traceFile = (): string => `${project.dir}/trace-${++traces}.jsonl`;
  const leftovers = (): Promise<string[]> => stackLeftovers(sdk, s3, project, zoneId);

  async function up(args: string[] = [], trace?: string): Promise<void> {
    const run = await cli(['up', ...args], trace);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
  }

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

  it('deletes everything of the stack and nothing else: foreign look-alikes, the zone and its other records stay', async () => {
    // The whole lifecycle runs traced, so that the end can check `tekamolo policy` allows every call.
    const upTrace = traceFile();
    await up([], upTrace);
    const readTraces = [traceFile(), traceFile()];
    expect((await cli(['plan'], readTraces[0])).code).toBe(0);
    expect((await cli(['status'], readTraces[1])).code).toBe(0);
    const outputsTrace = traceFile();
    const outputs = await cli(['outputs', '--json'], outputsTrace);
    expect(outputs.code).toBe(0);
    const balancers = await sdk.elbv2.send(new DescribeLoadBalancersCommand({}));
    expect(expectDocument(outputs.stdout, outputsDocument)).toMatchObject({
      command: 'outputs',
      ok: true,
      stage: null,
      bucket: project.bucket,
      loadBalancer: { dnsName: balancers.LoadBalancers?.[0]?.DNSName },
      elasticIp: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/),
      instances: [expect.stringMatching(/^i-/)],
      awsCalls: { changing: 0 },
      missing: [],
    });
    const foreign = await createForeign(sdk, s3, zoneId, project.domain);
    await fillBucket(s3, project.bucket);
    const before = await leftovers();
    expect(kinds(before)).toEqual(ALL_KINDS);
    const otherRecords = (await zoneRecords(sdk.route53, zoneId)).filter(
      (r) => !writtenByTekamolo(r, project.domain),
    );

    // plan --destroy: the list, with the bucket's content, and not one changing call.
    const planTrace = traceFile();
    const plan = await cli(['plan', '--destroy'], planTrace);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(BUCKET_LINE);
    expect(plan.stdout).toMatch(/- distribution /);
    expect(plan.stdout).toMatch(/\n\d+ to delete, 2 kept/);
    expect(plan.stdout).not.toContain(foreign.buckets[0]);
    expect(changingCalls(await readTrace(planTrace))).toEqual([]);
    const planJson = expectDocument((await cli(['--json', 'plan', '--destroy'])).stdout, destroyPlanDocument);
    expect(planJson).toMatchObject({ command: 'plan', destroy: true, ok: true, awsCalls: { changing: 0 } });
    expect(planJson.resources.filter((r) => r.action === 'delete').map((r) => r.key)).toEqual(
      expect.arrayContaining(['bucket', 'distribution']),
    );

    // No terminal and no --yes: exit 2, nothing deleted.
    const refusedTrace = traceFile();
    const refused = await cli(['destroy'], refusedTrace);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('nothing was deleted');
    expect(changingCalls(await readTrace(refusedTrace))).toEqual([]);
    expect(await leftovers()).toEqual(before);

    await mkdir(join(project.dir, 'dist'));
    await writeFile(join(project.dir, 'dist', 'index.html'), '<!doctype html><title>site</title>\n');
    const syncTrace = traceFile();
    expect((await cli(['sync-frontend'], syncTrace)).code).toBe(0);

    const trace = traceFile();
    const started = Date.now();
    const down = await cli(['--json', 'destroy', '--yes'], trace);
    const wallMs = Date.now() - started;
    expect(down.code).toBe(0);
    const records = await readTrace(trace);
    expect(expectEventLines(down.stdout).at(-1)).toMatchObject({
      code: 'run-finished',
      command: 'destroy',
      ok: true,
      awsCalls: { total: records.length, changing: changingCalls(records).length },
    });
    const changing = changingCalls(records);
    console.info(
      `destroy of a full stack on the emulator: ${records.length} AWS calls (${changing.length} changing), ${wallMs} ms wall time`,
    );

    expect(await leftovers()).toEqual([]);
    // The distribution was disabled before it was deleted, with an ETag.
    expect(changing.indexOf('cloudfront:UpdateDistribution')).toBeGreaterThanOrEqual(0);
    expect(changing.indexOf('cloudfront:UpdateDistribution')).toBeLessThan(
      changing.indexOf('cloudfront:DeleteDistribution'),
    );
    // What the distribution used went after it.
    for (const after of [
      's3:DeleteBucketPolicy',
      'cloudfront:DeleteOriginAccessControl',
      's3:DeleteBucket',
    ]) {
      expect(changing.indexOf(after)).toBeGreaterThan(changing.indexOf('cloudfront:DeleteDistribution'));
    }
    // The bucket went with all its versions and delete markers.
    expect(await bucketExists(s3, project.bucket)).toBe(false);

    for (const bucket of foreign.buckets) {
      expect(await bucketExists(s3, bucket)).toBe(true);
      expect(await versionCount(s3, bucket)).toEqual({ versions: 1, markers: 0 });
    }
    const groups = await sdk.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: foreign.groupIds }));
    expect(groups.SecurityGroups?.map((g) => g.IpPermissions?.length)).toEqual([1, 1]);
    // The zone is still there with exactly the records that were not tekamolo's.
    expect(await zoneRecords(sdk.route53, zoneId)).toEqual(otherRecords);
    expect(otherRecords.map((r) => `${r.Type} ${r.Name}`)).toEqual(
      expect.arrayContaining(foreign.records.map((r) => `${r.type} ${r.name}.`)),
    );

    expect(existsSync(project.stateFile)).toBe(false);
    expect(existsSync(`${project.stateFile}.bak`)).toBe(true);
    expect(existsSync(`${project.stateFile}.lock`)).toBe(false);

    const againTrace = traceFile();
    const again = await cli(['destroy', '--yes'], againTrace);
    expect(again.code).toBe(0);
    expect(changingCalls(await readTrace(againTrace))).toEqual([]);

    // up, plan, status, outputs, sync-frontend, destroy: `tekamolo policy` allows every call they made, and
    // `policy --for plan|status` every call of the read-only commands.
    const lifecycle = (await Promise.all([upTrace, outputsTrace, syncTrace, trace].map(readTrace))).flat();
    expect(changingCalls(lifecycle)).toEqual(
      expect.arrayContaining([
        'cloudfront:CreateDistributionWithTags',
        's3:PutObject',
        'cloudfront:DeleteDistribution',
      ]),
    );
    const reads = (await Promise.all([...readTraces, planTrace].map(readTrace))).flat();
    expect(reads.length).toBeGreaterThan(0);
    expect(await callsNotInPolicy(project.config, [...lifecycle, ...reads])).toEqual([]);
    expect(await callsNotInPolicy(project.config, reads, 'plan')).toEqual([]);
  }, 180_000);

  /** A second destroy finishes what a killed one started; a third has nothing left to change. */
  async function finishAfterKill(killed: { stateBefore: StateFile }): Promise<string[]> {
    const secondTrace = traceFile();
    const second = await cli(['destroy', '--yes'], secondTrace);
    expect(second.stderr).not.toMatch(/error/i);
    expect(second.code).toBe(0);
    expect(await leftovers()).toEqual([]);
    expect(existsSync(project.stateFile)).toBe(false);
    expect(existsSync(`${project.stateFile}.bak`)).toBe(true);
    expect(Object.keys(killed.stateBefore.resources).length).toBeGreaterThan(0);

    const thirdTrace = traceFile();
    const third = await cli(['destroy', '--yes'], thirdTrace);
    expect(third.code).toBe(0);
    expect(changingCalls(await readTrace(thirdTrace))).toEqual([]);
    return changingCalls(await readTrace(secondTrace));
  }

  it('killed with SIGKILL while deleting, the next destroy finishes and the one after changes nothing', async () => {
    await up();
    await fillBucket(s3, project.bucket);
    const full = Object.keys((await readState(project)).resources).length;
    // plan --destroy makes the same read-only look as destroy: a dozen calls past it is among the deletes.
    const lookTrace = traceFile();
    expect((await cli(['plan', '--destroy'], lookTrace)).code).toBe(0);
    const look = (await readTrace(lookTrace)).length;
    const trace = traceFile();
    const killed = await killAfterCalls(
      ['-c', project.config, '--trace', trace, 'destroy', '--yes'],
      { env, cwd: project.dir },
      trace,
      look + 12,
    );
    expect(killed.finishedFirst).toBe(false);
    expect(killed.signal).toBe('SIGKILL');
    expect(changingCalls(await readTrace(trace)).length).toBeGreaterThan(0);
    const stateBefore = await readState(project);
    expect(Object.keys(stateBefore.resources).length).toBeLessThan(full);
    expect((await leftovers()).length).toBeGreaterThan(0);
    // The lock of the killed run names a process that is gone: the next run takes it over.
    await finishAfterKill({ stateBefore });
  }, 180_000);

  it('killed while waiting for the disabled distribution, the next destroy neither disables it again nor waits twice', async () => {
    // The distribution stays InProgress for 150 reads, so the kill lands in the wait after the disable.
    await moto.setTransition('cloudfront::distribution', 150);
    await up(['--no-wait']);
    const trace = traceFile();
    const killed = await killAfterCalls(
      ['-c', project.config, '--trace', trace, 'destroy', '--yes'],
      { env, cwd: project.dir },
      trace,
      110,
    );
    expect(killed.finishedFirst).toBe(false);
    const records = await readTrace(trace);
    expect(changingCalls(records)).toContain('cloudfront:UpdateDistribution');
    expect(changingCalls(records)).not.toContain('cloudfront:DeleteDistribution');
    expect(records.at(-1)?.operation).toBe('GetDistribution');
    const stateBefore = await readState(project);
    expect(stateBefore.resources.distribution?.deletePhase).toBe('disabling');

    const second = await finishAfterKill({ stateBefore });
    expect(second).toContain('cloudfront:DeleteDistribution');
    expect(second).not.toContain('cloudfront:UpdateDistribution');
  }, 180_000);

  it('without a state file finds everything by name and tag and deletes it, and still nothing foreign', async () => {
    await up();
    const foreign = await createForeign(sdk, s3, zoneId, project.domain);
    await fillBucket(s3, project.bucket);
    const otherRecords = (await zoneRecords(sdk.route53, zoneId)).filter(
      (r) => !writtenByTekamolo(r, project.domain),
    );
    await rm(`${project.dir}/.tekamolo`, { recursive: true });

    const trace = traceFile();
    const down = await cli(['destroy', '--yes'], trace);
    expect(down.stderr).not.toMatch(/error/i);
    expect(down.code).toBe(0);
    expect(await leftovers()).toEqual([]);
    for (const bucket of foreign.buckets) expect(await bucketExists(s3, bucket)).toBe(true);
    const groups = await sdk.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: foreign.groupIds }));
    expect(groups.SecurityGroups).toHaveLength(2);
    expect(await zoneRecords(sdk.route53, zoneId)).toEqual(otherRecords);
    expect(existsSync(project.stateFile)).toBe(false);
  }, 180_000);

  it('--no-wait starts disabling the distribution and returns; status shows it; the next destroy finishes', async () => {
    await moto.setTransition('cloudfront::distribution', 40);
    await up(['--no-wait']);
    const trace = traceFile();
    const started = await cli(['destroy', '--yes', '--no-wait'], trace);
    expect(started.code).toBe(0);
    expect(started.stdout + started.stderr).toContain('run `tekamolo destroy` again');
    const changing = changingCalls(await readTrace(trace));
    expect(changing).toContain('cloudfront:UpdateDistribution');
    expect(changing).not.toContain('cloudfront:DeleteDistribution');
    // What the distribution still needs stays: its origins, its certificate and its bucket.
    const left = await leftovers();
    expect(left.filter((l) => l.startsWith('cloudfront distribution'))).toEqual([
      expect.stringMatching(/ InProgress$/),
    ]);
    expect(kinds(left)).toEqual(
      expect.arrayContaining(['acm us-east-1', 's3 bucket', 'elbv2 load-balancer']),
    );
    expect(kinds(left)).not.toContain('autoscaling group');
    expect((await readState(project)).resources.distribution?.deletePhase).toBe('disabling');

    const status = await cli(['status']);
    expect(status.stdout).toMatch(/distribution .*InProgress.*disabled/);
    expect(status.stdout).toContain('being deleted (InProgress): run `tekamolo destroy` to finish');
    expect(status.stdout).toContain('a `tekamolo destroy` has not finished: run it again');
    expect(status.stdout).not.toContain('`tekamolo up` creates them');
    expect(status.stdout).not.toContain('`tekamolo up` puts them back');

    const finishTrace = traceFile();
    const finish = await cli(['destroy', '--yes'], finishTrace);
    expect(finish.code).toBe(0);
    expect(changingCalls(await readTrace(finishTrace))).not.toContain('cloudfront:UpdateDistribution');
    expect(await leftovers()).toEqual([]);
    expect(existsSync(project.stateFile)).toBe(false);
  }, 180_000);

  it('--keep-bucket keeps the bucket with every object version; a later destroy deletes it', async () => {
    await up();
    await fillBucket(s3, project.bucket);
    const content = await versionCount(s3, project.bucket);
    expect(content).toEqual({ versions: 4, markers: 1 });

    const kept = await cli(['destroy', '--yes', '--keep-bucket']);
    expect(kept.code).toBe(0);
    expect(await leftovers()).toEqual([`s3 bucket ${project.bucket}`]);
    expect(await versionCount(s3, project.bucket)).toEqual(content);
    expect(Object.keys((await readState(project)).resources)).toEqual(['bucket']);

    const plan = await cli(['plan', '--destroy']);
    expect(plan.stdout).toMatch(BUCKET_LINE);
    const down = await cli(['destroy', '--yes']);
    expect(down.code).toBe(0);
    expect(await leftovers()).toEqual([]);
    expect(existsSync(project.stateFile)).toBe(false);
  }, 180_000);

  it('a site name someone pointed elsewhere stays; the alias records that are still ours go', async () => {
    await up();
    await sdk.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Changes: [
            {
              Action: 'UPSERT',
              ResourceRecordSet: {
                Name: `www.${project.domain}`,
                Type: 'A',
                TTL: 300,
                ResourceRecords: [{ Value: '192.0.2.80' }],
              },
            },
          ],
        },
      }),
    );
    const down = await cli(['destroy', '--yes']);
    expect(down.code).toBe(0);
    expect(await leftovers()).toEqual([]);
    const left = (await zoneRecords(sdk.route53, zoneId)).map((r) => `${r.Type} ${r.Name}`);
    expect(left.sort()).toEqual([
      `A www.${project.domain}.`,
      `NS ${project.domain}.`,
      `SOA ${project.domain}.`,
    ]);
  }, 180_000);

  it('on a terminal, shows what goes and deletes only after the stack name is typed', async () => {
    await up();
    await fillBucket(s3, project.bucket);
    const before = await leftovers();
    const args = ['-c', project.config, 'destroy'];

    const wrong = await destroyOnTerminal('not-it', args, env, project.dir);
    expect(wrong.screen).toMatch(BUCKET_LINE);
    expect(wrong.screen).toMatch(/\d+ to delete, 2 kept/);
    expect(wrong.screen).toContain(`Type the stack name (${STACK})`);
    expect(wrong.screen).toContain('nothing was deleted');
    expect(wrong.code).toBe(2);
    expect(await leftovers()).toEqual(before);

    const typed = await destroyOnTerminal(STACK, args, env, project.dir);
    expect(typed.screen).toContain(`Stack ${STACK} is destroyed`);
    expect(typed.code).toBe(0);
    expect(await leftovers()).toEqual([]);
  }, 180_000);

  it('Ctrl-C while waiting for the distribution exits 130 with the phase saved; the next destroy finishes', async () => {
    await moto.setTransition('cloudfront::distribution', 150);
    await up(['--no-wait']);
    const run = startCli(['-c', project.config, 'destroy', '--yes'], { env, cwd: project.dir });
    let ended = false;
    void run.done.then(() => {
      ended = true;
    });
    // Ctrl-C once the disable is recorded: the run is then waiting for the distribution to deploy.
    let sent = false;
    while (!ended && !sent) {
      const text = existsSync(project.stateFile) ? await readFile(project.stateFile, 'utf8') : '{}';
      const state = JSON.parse(text) as Partial<StateFile>;
      if (state.resources?.distribution?.deletePhase === 'disabling') {
        sent = run.child.kill('SIGINT');
      } else await new Promise((r) => setTimeout(r, 20));
    }
    const interrupted = await run.done;
    expect(sent).toBe(true);
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toContain('run `tekamolo destroy` again to finish');
    expect((await readState(project)).resources.distribution?.deletePhase).toBe('disabling');
    expect(existsSync(`${project.stateFile}.lock`)).toBe(false);

    const trace = traceFile();
    const finish = await cli(['destroy', '--yes'], trace);
    expect(finish.code).toBe(0);
    expect(changingCalls(await readTrace(trace))).not.toContain('cloudfront:UpdateDistribution');
    expect(await leftovers()).toEqual([]);
  }, 180_000);
});
