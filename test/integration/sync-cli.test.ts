import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudFrontClient, CreateDistributionCommand } from '@aws-sdk/client-cloudfront';
import {
  CreateBucketCommand,
  ListObjectsV2Command,
  PutBucketTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isReadOnlyOperation, type TraceRecord } from '../../src/aws/trace.js';
import type { SyncEvent, SyncSummary } from '../../src/sync/events.js';
import { type Moto, motoAvailable, startMoto } from '../support/moto.js';

/** `tekamolo sync-frontend` as a user runs it: the built CLI against a local moto_server. */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = join(root, 'bin', 'tekamolo.js');
const REGION = 'eu-central-1';
const STACK = 'synccli';
const BUCKET = `${STACK}-site-123456789012`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function tekamolo(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Run> {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` before these tests');
  }
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [cli, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => ok({ code, stdout, stderr }));
  });
}

async function readTrace(file: string): Promise<TraceRecord[]> {
  if (!existsSync(file)) return [];
  return (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as TraceRecord);
}

function summaryOf(run: Run): SyncSummary | undefined {
  const events = run.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SyncEvent);
  const finished = events.find((e) => e.type === 'sync-finished');
  return finished?.type === 'sync-finished' ? finished.summary : undefined;
}

describe.skipIf(!motoAvailable())('tekamolo sync-frontend (CLI)', () => {
  let moto: Moto;
  let work: string;
  let distributionId: string;
  let s3: S3Client;

  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  beforeEach(async () => {
    await moto.reset();
    s3 = new S3Client({ region: REGION });
    await s3.send(
      new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }),
    );
    await s3.send(
      new PutBucketTaggingCommand({
        Bucket: BUCKET,
        Tagging: { TagSet: [{ Key: 'tekamolo:stack', Value: STACK }] },
      }),
    );
    const cloudfront = new CloudFrontClient({ region: 'us-east-1' });
    const created = await cloudfront.send(
      new CreateDistributionCommand({
        DistributionConfig: {
          CallerReference: `sync-cli-${Date.now()}`,
          Comment: `tekamolo:${STACK}`,
          Enabled: true,
          Origins: {
            Quantity: 1,
            Items: [
              {
                Id: 's3',
                DomainName: `${BUCKET}.s3.${REGION}.amazonaws.com`,
                S3OriginConfig: { OriginAccessIdentity: '' },
              },
            ],
          },
          DefaultCacheBehavior: {
            TargetOriginId: 's3',
            ViewerProtocolPolicy: 'redirect-to-https',
            CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
          },
        },
      }),
    );
    cloudfront.destroy();
    distributionId = created.Distribution?.Id ?? '';
    work = await mkdtemp(join(tmpdir(), 'tekamolo-sync-cli-'));
    await writeFile(
      join(work, 'tekamolo.yaml'),
      [`stack: ${STACK}`, `region: ${REGION}`, 'domain: example.com', 'frontend:', '  dir: ./dist', ''].join(
        '\n',
      ),
    );
    await mkdir(join(work, 'dist', 'assets'), { recursive: true });
    await writeFile(
      join(work, 'dist', 'index.html'),
      '<!doctype html><script src="/assets/app-1a2b3c4d.js">',
    );
    await writeFile(join(work, 'dist', 'assets', 'app-1a2b3c4d.js'), 'console.log("app")');
    await writeFile(join(work, 'dist', 'robots.txt'), 'User-agent: *');
  });

  afterEach(async () => {
    s3.destroy();
    await rm(work, { recursive: true, force: true });
  });

  async function keys(): Promise<string[]> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    return (listed.Contents ?? []).map((o) => o.Key ?? '').sort();
  }

  it('syncs with JSON lines on stdout; a second run makes no change, no HEAD and one listing', async () => {
    const first = await tekamolo(['--json', 'sync-frontend'], moto.env(), work);
    expect(first.code, first.stderr).toBe(0);
    expect(summaryOf(first)).toMatchObject({ uploaded: 3, unchanged: 0, bucket: BUCKET, distributionId });
    expect(await keys()).toEqual([
      '.tekamolo/sync-manifest.json',
      'assets/app-1a2b3c4d.js',
      'index.html',
      'robots.txt',
    ]);

    const trace = join(work, 'trace.jsonl');
    const second = await tekamolo(['--json', '--trace', trace, 'sync-frontend'], moto.env(), work);
    expect(second.code, second.stderr).toBe(0);
    expect(summaryOf(second)).toMatchObject({ uploaded: 0, unchanged: 3, invalidatedPaths: 0 });
    const records = await readTrace(trace);
    expect(records.filter((r) => r.operation === 'HeadObject')).toEqual([]);
    expect(records.filter((r) => r.operation === 'ListObjectsV2')).toHaveLength(1);
    expect(records.filter((r) => !isReadOnlyOperation(r.operation))).toEqual([]);
  });

  it('uses the state file when it has the bucket and distribution: no lookup by tag or comment', async () => {
    await mkdir(join(work, '.tekamolo'));
    await writeFile(
      join(work, '.tekamolo', 'state.json'),
      JSON.stringify({
        version: 1,
        stack: STACK,
        updatedAt: new Date().toISOString(),
        resources: {
          bucket: { id: BUCKET, name: BUCKET, arn: `arn:aws:s3:::${BUCKET}`, region: REGION },
          distribution: { id: distributionId, arn: 'arn', domainName: 'd.cloudfront.net' },
        },
      }),
    );
    const trace = join(work, 'trace.jsonl');
    const run = await tekamolo(['--trace', trace, 'sync-frontend'], moto.env(), work);
    expect(run.code, run.stderr).toBe(0);
    const operations = (await readTrace(trace)).map((r) => r.operation);
    expect(operations).not.toContain('GetBucketTagging');
    expect(operations).not.toContain('ListDistributions');
    expect(run.stderr).toMatch(/synced in .*: uploaded 3 \(3 new\)/);
  });

  it('--dry-run prints the plan and changes nothing', async () => {
    const trace = join(work, 'trace.jsonl');
    const run = await tekamolo(
      ['--trace', trace, 'sync-frontend', '--dry-run', '--delete'],
      moto.env(),
      work,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/upload \(3\):\n {2}assets\/app-1a2b3c4d\.js/);
    expect(run.stderr).toMatch(/dry run, nothing changed: would upload 3/);
    expect((await readTrace(trace)).filter((r) => !isReadOnlyOperation(r.operation))).toEqual([]);
    expect(await keys()).toEqual([]);
  });

  it('--delete with an empty folder exits 2 and leaves the bucket as it was', async () => {
    expect((await tekamolo(['sync-frontend'], moto.env(), work)).code).toBe(0);
    const before = await keys();
    await mkdir(join(work, 'empty'));
    const run = await tekamolo(['sync-frontend', '--delete', '--dir', join(work, 'empty')], moto.env(), work);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/is empty/);
    expect(await keys()).toEqual(before);
  });

  it('refuses to sync while a destroy of the stack holds the lock (exit 1)', async () => {
    await mkdir(join(work, '.tekamolo'));
    await writeFile(
      join(work, '.tekamolo', 'state.json.lock'),
      JSON.stringify({
        pid: process.pid,
        host: hostname(),
        startedAt: new Date().toISOString(),
        command: 'destroy',
      }),
    );
    const run = await tekamolo(['sync-frontend'], moto.env(), work);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/destroy` of this stack is running/);
    expect(await keys()).toEqual([]);
  });
});
