import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { ACMClient, ListCertificatesCommand, ListTagsForCertificateCommand } from '@aws-sdk/client-acm';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  CloudFrontClient,
  GetDistributionCommand,
  ListDistributionsCommand,
  ListOriginAccessControlsCommand,
} from '@aws-sdk/client-cloudfront';
import {
  DescribeAddressesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { loadSharedConfigFiles } from '@smithy/core/config';
import type { RetryStrategyFactory } from '../../src/aws/clients.js';
import { isReadOnlyOperation, type TraceRecord } from '../../src/aws/trace.js';
import { runTekamolo } from '../../src/cli/run.js';
import { withEnvironment } from '../../src/cli/run-environment.js';

/**
 * End-to-end helpers shared by the CLI tests against the emulator: run the command line (in this
 * process, or the built binary as a process of its own), read its trace, write a config into a
 * temporary folder, and count the stack's resources through the SDK (never through tekamolo, so that
 * a test does not trust the code it checks).
 *
 * The SDK clients here read AWS_ENDPOINT_URL and the test credentials from process.env, which
 * startMoto() sets.
 */

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = join(ROOT, 'bin', 'tekamolo.js');

/** Throws a clear message when the CLI was not built (`npm run build`). */
export function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` before the end-to-end tests');
  }
}

/** Modification time of the built CLI, to tell a build older than the sources. */
export function builtAt(): Date {
  return statSync(join(ROOT, 'dist', 'cli', 'main.js')).mtime;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** runCli only: the AWS clients' retry strategy (test/support/short-retries.ts). */
  retryStrategy?: RetryStrategyFactory;
}

/** A running CLI process and its result once it ends. */
export interface CliProcess {
  child: ChildProcess;
  done: Promise<CliRun>;
}

/**
 * Starts `node bin/tekamolo.js <args>`; stdin is not a terminal, so the CLI can never prompt. For what
 * needs a process of its own: signals (SIGKILL, Ctrl-C), runs at the same time, the built binary.
 */
export function startCli(args: string[], options: CliOptions): CliProcess {
  assertBuilt();
  const child = spawn(process.execPath, [CLI, ...args], {
    env: options.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<CliRun>((ok, fail) => {
    child.on('error', fail);
    child.on('close', (code, signal) => ok({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Runs the built binary to its end, as a process of its own. */
export function runBinary(args: string[], options: CliOptions): Promise<CliRun> {
  return startCli(args, options).done;
}

/** What a run in this process wrote on stdout or stderr; not a terminal, as when piped. */
class Captured extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
  /** Everything written, once the writes still queued have gone through. */
  async all(): Promise<string> {
    await new Promise((resolve) => this.end(resolve));
    return this.text;
  }
}

/** Set while a run of runCli is going on: it has the process's environment and folder to itself. */
let inProcessRun = false;

/** Whether a run of runCli has not ended yet (test/support/integration-setup.ts checks every file's end). */
export function runCliGoingOn(): boolean {
  return inProcessRun;
}

/**
 * Runs the command line to its end, in this process: the same entry as the binary (runTekamolo), with
 * `options.env` as process.env and `options.cwd` as the folder while it runs, and the same result as
 * a process's, minus the signal; without a process that loads the AWS SDK again for every run.
 */
export async function runCli(args: string[], options: CliOptions): Promise<CliRun> {
  if (inProcessRun) {
    throw new Error('runCli: another run is going on in this process; runs at the same time need startCli');
  }
  inProcessRun = true;
  try {
    // The SDK keeps each shared config file it has read for the life of the process: this run reads
    // its own afresh, as a process of its own would (a test may have rewritten one at the same path).
    await withEnvironment({ env: options.env }, () => loadSharedConfigFiles({ ignoreCache: true }));
    const stdout = new Captured();
    const stderr = new Captured();
    const stdin = Readable.from([]);
    const code = await runTekamolo(args, { stdin, stdout, stderr, ...options });
    return { code, signal: null, stdout: await stdout.all(), stderr: await stderr.all() };
  } finally {
    inProcessRun = false;
  }
}

function traceLines(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

export interface KilledRun extends CliRun {
  /** Trace lines when the kill was sent (the process may have written one or two more before dying). */
  linesAtKill: number;
  /** Whether the process had already ended before the condition held. */
  finishedFirst: boolean;
}

/**
 * Starts the CLI with `--trace <traceFile>` among `args` and sends SIGKILL as soon as `when` holds for the
 * trace lines written so far (one per AWS call made). Polls the file every few milliseconds.
 */
export async function killWhen(
  args: string[],
  options: CliOptions,
  traceFile: string,
  when: (lines: string[]) => boolean,
): Promise<KilledRun> {
  const run = startCli(args, options);
  let ended = false;
  void run.done.then(() => {
    ended = true;
  });
  let linesAtKill = 0;
  while (!ended) {
    const lines = traceLines(traceFile);
    if (when(lines)) {
      linesAtKill = lines.length;
      run.child.kill('SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  const result = await run.done;
  return { ...result, linesAtKill, finishedFirst: result.signal !== 'SIGKILL' };
}

/** SIGKILL once the trace file holds `calls` lines, i.e. after that many AWS calls. */
export function killAfterCalls(
  args: string[],
  options: CliOptions,
  traceFile: string,
  calls: number,
): Promise<KilledRun> {
  return killWhen(args, options, traceFile, (lines) => lines.length >= calls);
}

/** SIGKILL as soon as the trace shows a call of `operation` (e.g. 'CreateBucket') answered. */
export function killAfterOperation(
  args: string[],
  options: CliOptions,
  traceFile: string,
  operation: string,
): Promise<KilledRun> {
  const marker = `"operation":"${operation}"`;
  return killWhen(args, options, traceFile, (lines) => lines.some((line) => line.includes(marker)));
}

/** The trace file's records (empty when the file does not exist). */
export async function readTrace(file: string): Promise<TraceRecord[]> {
  if (!existsSync(file)) return [];
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as TraceRecord);
}

/** Calls that change something: operations not starting with Get, List, Describe or Head. */
export function changingCalls(records: TraceRecord[]): string[] {
  return records.filter((r) => !isReadOnlyOperation(r.operation)).map((r) => `${r.service}:${r.operation}`);
}

export interface E2eConfig {
  stack: string;
  domain?: string;
  region?: string;
  /** Unique per test: S3 bucket names are global in the emulator too. */
  bucket?: string;
  sshCidrs?: string[];
  scaling?: { min: number; desired: number; max: number };
  pollSeconds?: number;
  /**
   * backend.sessionManager (default false here): the instance role needs an emulator that loads AWS
   * managed policies, which only test/integration/e2e-instance-role.test.ts starts.
   */
  sessionManager?: boolean;
  /** Further YAML lines appended as they are. */
  extra?: string[];
}

export interface E2eProject {
  dir: string;
  config: string;
  stateFile: string;
  domain: string;
  bucket: string;
}

/**
 * A temporary folder with a tekamolo.yaml. Routing is off: the emulator has no CloudFront Functions API.
 */
export async function writeProject(options: E2eConfig): Promise<E2eProject> {
  const dir = await mkdtemp(join(tmpdir(), `tekamolo-e2e-${options.stack}-`));
  const domain = options.domain ?? 'example.com';
  const bucket = options.bucket ?? `${options.stack}-site-${process.pid}-${Date.now()}`;
  const scaling = options.scaling ?? { min: 1, desired: 1, max: 2 };
  const lines = [
    `stack: ${options.stack}`,
    `region: ${options.region ?? 'eu-central-1'}`,
    `domain: ${domain}`,
    'frontend:',
    '  routing: none',
    `  bucket: ${bucket}`,
    'backend:',
    `  sshCidrs: [${(options.sshCidrs ?? ['203.0.113.10/32']).join(', ')}]`,
    `  scaling: { min: ${scaling.min}, desired: ${scaling.desired}, max: ${scaling.max}, cpuTarget: 50 }`,
    `  sessionManager: ${options.sessionManager ?? false}`,
    'waits:',
    `  pollSeconds: ${options.pollSeconds ?? 0.05}`,
    ...(options.extra ?? []),
    '',
  ];
  const config = join(dir, 'tekamolo.yaml');
  await writeFile(config, lines.join('\n'));
  return { dir, config, stateFile: join(dir, '.tekamolo', 'state.json'), domain, bucket };
}

/** What a real account already has: the domain's public hosted zone. Returns its id without /hostedzone/. */
export async function createZone(domain: string): Promise<string> {
  const route53 = new Route53Client({ region: 'us-east-1' });
  try {
    const result = await route53.send(
      new CreateHostedZoneCommand({ Name: domain, CallerReference: `e2e-${domain}-${Date.now()}` }),
    );
    return String(result.HostedZone?.Id).replace('/hostedzone/', '');
  } finally {
    route53.destroy();
  }
}

/** One SDK client per service for checks, all through the emulator in process.env. */
export class Sdk {
  readonly region: string;
  readonly acmHere: ACMClient;
  readonly acmGlobal: ACMClient;
  readonly ec2: EC2Client;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly autoscaling: AutoScalingClient;
  readonly cloudfront: CloudFrontClient;
  readonly route53: Route53Client;
  readonly s3: S3Client;

  constructor(region = 'eu-central-1') {
    this.region = region;
    this.acmHere = new ACMClient({ region });
    this.acmGlobal = new ACMClient({ region: 'us-east-1' });
    this.ec2 = new EC2Client({ region });
    this.elbv2 = new ElasticLoadBalancingV2Client({ region });
    this.autoscaling = new AutoScalingClient({ region });
    this.cloudfront = new CloudFrontClient({ region: 'us-east-1' });
    this.route53 = new Route53Client({ region: 'us-east-1' });
    // 127.0.0.1 endpoints get path-style addressing from the SDK by itself.
    this.s3 = new S3Client({ region });
  }

  destroy(): void {
    for (const client of [
      this.acmHere,
      this.acmGlobal,
      this.ec2,
      this.elbv2,
      this.autoscaling,
      this.cloudfront,
      this.route53,
      this.s3,
    ]) {
      client.destroy();
    }
  }
}

/** ARNs of the certificates in one ACM client's region tagged with the stack. */
export async function stackCertificates(acm: ACMClient, stack: string): Promise<string[]> {
  const list = await acm.send(new ListCertificatesCommand({}));
  const arns: string[] = [];
  for (const summary of list.CertificateSummaryList ?? []) {
    const arn = String(summary.CertificateArn);
    const tags = await acm.send(new ListTagsForCertificateCommand({ CertificateArn: arn }));
    if (tags.Tags?.some((t) => t.Key === 'tekamolo:stack' && t.Value === stack)) arns.push(arn);
  }
  return arns;
}

/** Every record set of a hosted zone (one page holds the few records of a test zone). */
export async function zoneRecords(route53: Route53Client, zoneId: string): Promise<ResourceRecordSet[]> {
  const result = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
  return result.ResourceRecordSets ?? [];
}

/**
 * Ids of the distributions whose comment is the stack's. The emulator's list leaves the comment out of
 * each summary, so every distribution is read whole.
 */
export async function stackDistributions(cloudfront: CloudFrontClient, stack: string): Promise<string[]> {
  const list = await cloudfront.send(new ListDistributionsCommand({}));
  const ids: string[] = [];
  for (const item of list.DistributionList?.Items ?? []) {
    const full = await cloudfront.send(new GetDistributionCommand({ Id: item.Id }));
    if (full.Distribution?.DistributionConfig?.Comment === `tekamolo:${stack}`) ids.push(String(item.Id));
  }
  return ids;
}

/** Resource counts of one stack, read through the SDK. `records` counts the zone's non-SOA/NS records. */
export interface StackCounts {
  cdnCertificates: number;
  originCertificates: number;
  distributions: number;
  originAccessControls: number;
  loadBalancers: number;
  targetGroups: number;
  securityGroups: number;
  launchTemplates: number;
  autoScalingGroups: number;
  addresses: number;
  records: number;
}

/** One of everything: ARCHITECTURE §3 for a stack outside us-east-1 with routing off. */
export const ONE_OF_EACH: Omit<StackCounts, 'records'> = {
  cdnCertificates: 1,
  originCertificates: 1,
  distributions: 1,
  originAccessControls: 1,
  loadBalancers: 1,
  targetGroups: 1,
  securityGroups: 2,
  launchTemplates: 1,
  autoScalingGroups: 1,
  addresses: 1,
};

/** Nothing of the stack left. */
export const NONE_LEFT: Omit<StackCounts, 'records'> = {
  cdnCertificates: 0,
  originCertificates: 0,
  distributions: 0,
  originAccessControls: 0,
  loadBalancers: 0,
  targetGroups: 0,
  securityGroups: 0,
  launchTemplates: 0,
  autoScalingGroups: 0,
  addresses: 0,
};

/** Counts what tekamolo builds for `stack`, by the names and tags of ARCHITECTURE §1 "Tags and names". */
export async function countStack(sdk: Sdk, stack: string, zoneId: string): Promise<StackCounts> {
  const tagFilter = [{ Name: 'tag:tekamolo:stack', Values: [stack] }];
  const oacs = await sdk.cloudfront.send(new ListOriginAccessControlsCommand({}));
  const albs = await sdk.elbv2.send(new DescribeLoadBalancersCommand({}));
  const tgs = await sdk.elbv2.send(new DescribeTargetGroupsCommand({}));
  const sgs = await sdk.ec2.send(new DescribeSecurityGroupsCommand({ Filters: tagFilter }));
  const lts = await sdk.ec2.send(new DescribeLaunchTemplatesCommand({}));
  const asgs = await sdk.autoscaling.send(new DescribeAutoScalingGroupsCommand({}));
  const addresses = await sdk.ec2.send(new DescribeAddressesCommand({ Filters: tagFilter }));
  const records = await zoneRecords(sdk.route53, zoneId);
  const prefix = `${stack}-`;
  return {
    cdnCertificates: (await stackCertificates(sdk.acmGlobal, stack)).length,
    originCertificates: sdk.region === 'us-east-1' ? 0 : (await stackCertificates(sdk.acmHere, stack)).length,
    distributions: (await stackDistributions(sdk.cloudfront, stack)).length,
    originAccessControls: (oacs.OriginAccessControlList?.Items ?? []).filter((o) =>
      o.Name?.startsWith(prefix),
    ).length,
    loadBalancers: (albs.LoadBalancers ?? []).filter((l) => l.LoadBalancerName?.startsWith(prefix)).length,
    targetGroups: (tgs.TargetGroups ?? []).filter((t) => t.TargetGroupName?.startsWith(prefix)).length,
    securityGroups: (sgs.SecurityGroups ?? []).length,
    launchTemplates: (lts.LaunchTemplates ?? []).filter((t) => t.LaunchTemplateName?.startsWith(prefix))
      .length,
    autoScalingGroups: (asgs.AutoScalingGroups ?? []).filter((g) =>
      g.AutoScalingGroupName?.startsWith(prefix),
    ).length,
    addresses: (addresses.Addresses ?? []).length,
    records: records.filter((r) => r.Type !== 'SOA' && r.Type !== 'NS').length,
  };
}

/** Parses JSON lines (the `--json` output of up, destroy and sync-frontend). */
export function jsonLines<T = Record<string, unknown>>(text: string): T[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}
