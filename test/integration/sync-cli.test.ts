import { mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SyncEvent, SyncSummary } from '../../src/sync/events.js';
import { interruptWhen } from '../support/cli.js';
import {
  type CliRun,
  changingCalls,
  type E2eProject,
  jsonLines,
  readTrace,
  runCli,
  writeProject,
} from '../support/e2e.js';
import { expectEventLines } from '../support/json-contract.js';
import { motoAvailable, useMoto } from '../support/moto.js';
import { createSite } from '../support/site.js';

/** `tekamolo sync-frontend` as a user runs it: the built CLI against a local moto_server. */

const REGION = 'eu-central-1';
const STACK = 'synccli';

/** The summary of a `--json` sync, after checking every line against the JSON contract. */
function summaryOf(run: CliRun): SyncSummary | undefined {
  const finished = expectEventLines(run.stdout).at(-1);
  return finished?.code === 'sync-finished' ? finished.summary : undefined;
}

describe.skipIf(!motoAvailable())('tekamolo sync-frontend (CLI)', () => {
  const moto = useMoto();
  let project: E2eProject;
  let work: string;
  let distributionId: string;
  let s3: S3Client;
  const tekamolo = (args: string[]) => runCli(args, { env: moto.env(), cwd: work });

  beforeEach(async () => {
    s3 = new S3Client({ region: REGION });
    project = await writeProject({ stack: STACK, region: REGION });
    work = project.dir;
    distributionId = await createSite({ stack: STACK, bucket: project.bucket, region: REGION });
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
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: project.bucket }));
    return (listed.Contents ?? []).map((o) => o.Key ?? '').sort();
  }

  it('syncs with JSON lines on stdout; a second run makes no change, no HEAD and one listing', async () => {
    const first = await tekamolo(['--json', 'sync-frontend']);
    expect(first.code, first.stderr).toBe(0);
    expect(summaryOf(first)).toMatchObject({
      uploaded: 3,
      unchanged: 0,
      bucket: project.bucket,
      distributionId,
    });
    expect(await keys()).toEqual([
      '.tekamolo/sync-manifest.json',
      'assets/app-1a2b3c4d.js',
      'index.html',
      'robots.txt',
    ]);

    const trace = join(work, 'trace.jsonl');
    const second = await tekamolo(['--json', '--trace', trace, 'sync-frontend']);
    expect(second.code, second.stderr).toBe(0);
    expect(summaryOf(second)).toMatchObject({ uploaded: 0, unchanged: 3, invalidatedPaths: 0 });
    const records = await readTrace(trace);
    // The final event counts the calls the trace holds.
    expect(expectEventLines(second.stdout).at(-1)).toMatchObject({
      ok: true,
      awsCalls: { total: records.length, changing: 0 },
    });
    expect(records.filter((r) => r.operation === 'HeadObject')).toEqual([]);
    expect(records.filter((r) => r.operation === 'ListObjectsV2')).toHaveLength(1);
    expect(changingCalls(records)).toEqual([]);
  });

  /** Add lines under `frontend:` of the project's config. */
  async function frontendConfig(lines: string[]): Promise<void> {
    const text = await readFile(project.config, 'utf8');
    await writeFile(
      project.config,
      text.replace('frontend:\n', `frontend:\n${lines.map((l) => `  ${l}\n`).join('')}`),
    );
  }

  async function privateFiles(): Promise<void> {
    await mkdir(join(work, 'dist', '.git'), { recursive: true });
    await mkdir(join(work, 'dist', '.well-known'), { recursive: true });
    await writeFile(join(work, 'dist', '.env'), 'API_SECRET=s3cr3t');
    await writeFile(join(work, 'dist', '.git', 'HEAD'), 'ref: refs/heads/main');
    await writeFile(join(work, 'dist', '.DS_Store'), 'x');
    await writeFile(join(work, 'dist', '.htaccess'), 'Deny from all');
    await writeFile(join(work, 'dist', '.well-known', 'security.txt'), 'Contact: mailto:a@example.com');
  }

  it('publishes no dotfile by default (.well-known/ aside): each is counted as skipped and listed with -v', async () => {
    await privateFiles();
    const run = await tekamolo(['--json', 'sync-frontend']);
    expect(run.code, run.stderr).toBe(0);
    expect(await keys()).toEqual([
      '.tekamolo/sync-manifest.json',
      '.well-known/security.txt',
      'assets/app-1a2b3c4d.js',
      'index.html',
      'robots.txt',
    ]);
    expect(summaryOf(run)).toMatchObject({ uploaded: 4, skipped: 4 });

    const verbose = await tekamolo(['-v', 'sync-frontend']);
    expect(verbose.code, verbose.stderr).toBe(0);
    expect(verbose.stderr).toContain('skipped 4');
    for (const key of ['.DS_Store', '.env', '.git/', '.htaccess'])
      expect(verbose.stderr).toContain(`skipped ${key} (dot`);
  });

  it('honours frontend.include and frontend.exclude; an included secret is published with a warning', async () => {
    await privateFiles();
    await frontendConfig(['include: [.htaccess, .env]', 'exclude: [robots.txt, .well-known/]']);
    const run = await tekamolo(['--json', 'sync-frontend']);
    expect(run.code, run.stderr).toBe(0);
    expect(await keys()).toEqual([
      '.env',
      '.htaccess',
      '.tekamolo/sync-manifest.json',
      'assets/app-1a2b3c4d.js',
      'index.html',
    ]);
    const warnings = jsonLines<SyncEvent>(run.stdout).filter((e) => e.code === 'warning');
    expect(warnings.map((w) => w.code === 'warning' && w.message)).toEqual([
      expect.stringMatching(/^\.env looks like a secret and is published because frontend\.include names it/),
    ]);
    const validate = await tekamolo(['validate']);
    expect(validate.code).toBe(0);
    expect(validate.stderr).toMatch(
      /warning: tekamolo\.yaml:\d+:\d+ {2}frontend\.include\[1\]: "\.env" publishes secret-looking files/,
    );
  });

  it('frontend.dir "." is refused (exit 2, nothing uploaded) until the config is excluded; config, state and user data never go up', async () => {
    await writeFile(join(work, 'user-data.sh'), '#!/bin/sh\necho secret');
    const text = await readFile(project.config, 'utf8');
    await writeFile(project.config, text.replace('backend:\n', 'backend:\n  userData: user-data.sh\n'));
    await frontendConfig(['dir: .']);
    const refused = await tekamolo(['sync-frontend']);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain('contains the config file tekamolo.yaml');
    expect(refused.stderr).toContain('frontend.exclude');
    expect(await keys()).toEqual([]);

    await frontendConfig(['exclude: [tekamolo.yaml]']);
    await mkdir(join(work, '.tekamolo'), { recursive: true });
    await writeFile(join(work, '.tekamolo', 'state.json.bak'), '{}');
    const uploaded = await tekamolo(['--json', 'sync-frontend', '--no-invalidate']);
    expect(uploaded.code, uploaded.stderr).toBe(0);
    const published = await keys();
    expect(published).toContain('dist/index.html');
    expect(published.filter((k) => /tekamolo\.yaml|user-data|state\.json/.test(k))).toEqual([]);
  });

  it('a Cache-Control value with a line break is a config error with its line: exit 2, nothing uploaded', async () => {
    await frontendConfig(['cacheControl:', '  - { match: "*.html", value: "no-cache\\r\\nX-Injected: 1" }']);
    const trace = join(work, 'trace.jsonl');
    for (const args of [['validate'], ['--trace', trace, 'sync-frontend']]) {
      const run = await tekamolo(args);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(
        /tekamolo\.yaml:6:\d+ {2}frontend\.cacheControl\[0\]\.value: .*without line breaks/,
      );
    }
    expect(await keys()).toEqual([]);
  });

  it('a name that is not UTF-8 or a key over 1,024 bytes stops the sync before any upload (exit 2, naming them)', async () => {
    const bad = Buffer.concat([
      Buffer.from(join(work, 'dist', 'bad-')),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('.txt'),
    ]);
    await writeFile(bad, 'x');
    let deep = join(work, 'dist');
    for (let i = 0; i < 5; i++) deep = join(deep, `${String(i)}${'d'.repeat(215)}`);
    await mkdir(deep, { recursive: true });
    await writeFile(join(deep, 'long-name-1.txt'), 'x');
    const trace = join(work, 'trace.jsonl');
    const run = await tekamolo(['--trace', trace, 'sync-frontend']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('2 file(s) of');
    expect(run.stderr).toContain('bad-\uFFFD\uFFFD.txt (the name is not valid UTF-8)');
    expect(run.stderr).toContain('(1100 bytes as a key; S3 allows 1024)');
    expect(changingCalls(await readTrace(trace))).toEqual([]);
    expect(await keys()).toEqual([]);
  });

  it('keeps a hash cache in the state folder: an unchanged re-sync reads no file, a touched file is hashed and not uploaded', async () => {
    const files = ['index.html', 'assets/app-1a2b3c4d.js', 'robots.txt'].map((k) => join(work, 'dist', k));
    const setTimes = async (seconds: number) => {
      const time = new Date(Date.now() - seconds * 1000);
      for (const file of files) await utimes(file, time, time);
    };
    await setTimes(120);
    const first = await tekamolo(['--json', 'sync-frontend']);
    expect(first.code, first.stderr).toBe(0);
    expect(summaryOf(first)).toMatchObject({ hashed: 3, uploaded: 3 });

    const unchanged = await tekamolo(['--json', 'sync-frontend']);
    expect(summaryOf(unchanged)).toMatchObject({ hashed: 0, uploaded: 0, unchanged: 3 });

    await setTimes(60);
    const touched = await tekamolo(['--json', 'sync-frontend']);
    expect(summaryOf(touched)).toMatchObject({ hashed: 3, uploaded: 0, unchanged: 3 });

    await writeFile(join(work, '.tekamolo', 'sync-hashes.json'), '{"version":1,"entr');
    const corrupt = await tekamolo(['--json', 'sync-frontend']);
    expect(corrupt.code, corrupt.stderr).toBe(0);
    expect(summaryOf(corrupt)).toMatchObject({ hashed: 3, uploaded: 0, unchanged: 3 });
    expect(await keys()).not.toContain('.tekamolo/sync-hashes.json');
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
          bucket: {
            id: project.bucket,
            name: project.bucket,
            arn: `arn:aws:s3:::${project.bucket}`,
            region: REGION,
          },
          distribution: { id: distributionId, arn: 'arn', domainName: 'd.cloudfront.net' },
        },
      }),
    );
    const trace = join(work, 'trace.jsonl');
    const run = await tekamolo(['--trace', trace, 'sync-frontend']);
    expect(run.code, run.stderr).toBe(0);
    const operations = (await readTrace(trace)).map((r) => r.operation);
    expect(operations).not.toContain('GetBucketTagging');
    expect(operations).not.toContain('ListDistributions');
    expect(run.stdout).toMatch(/synced in .*: uploaded 3 \(3 new\)/);
  });

  /** Enough files that a sync is still at work when a Ctrl-C sent at its first event arrives. */
  async function manyFiles(count: number): Promise<void> {
    await mkdir(join(work, 'dist', 'docs'), { recursive: true });
    for (let i = 0; i < count; i++) {
      await writeFile(join(work, 'dist', 'docs', `${String(i).padStart(4, '0')}.txt`), `page ${i}`);
    }
  }

  /** `tekamolo --json <args>`, interrupted once its stdout holds an event of `code`. */
  function interruptAt(code: string, args: string[]) {
    const cli = { env: moto.env(), cwd: work };
    return interruptWhen(['--json', ...args], cli, 'stdout', (out) => out.includes(`"code":"${code}"`));
  }

  it('Ctrl-C during a sync says that calls in flight finish, not that a state is saved; the next sync finishes', async () => {
    await manyFiles(600);
    const stopped = await interruptAt('sync-phase', ['sync-frontend']);
    expect(stopped.interrupted).toBe(true);
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toContain('stopping: calls in flight finish, no new one starts');
    expect(stopped.stderr).not.toContain('state is saved');
    expect((await keys()).length).toBeLessThan(603);

    const rest = await tekamolo(['sync-frontend']);
    expect(rest.code, rest.stderr).toBe(0);
    // 16 uploads in flight, each listening on the Ctrl-C signal, are no listener leak to warn about.
    expect(rest.stderr).not.toContain('MaxListenersExceededWarning');
    expect(await keys()).toHaveLength(603 + 1); // + the manifest
  });

  it('Ctrl-C during --dry-run says that nothing was changed', async () => {
    await manyFiles(600);
    const trace = join(work, 'trace.jsonl');
    const stopped = await interruptAt('sync-started', ['--trace', trace, 'sync-frontend', '--dry-run']);
    expect(stopped.interrupted).toBe(true);
    expect(stopped.stderr).toContain('stopping: reads in flight finish; nothing was changed');
    expect(stopped.stderr).not.toContain('state is saved');
    expect(changingCalls(await readTrace(trace))).toEqual([]);
    expect(await keys()).toEqual([]);
  });

  it('syncs into a bucket whose policy denies reading .tekamolo/* to everyone: without the manifest, with a warning', async () => {
    const deny = {
      Sid: 'no-private-reads',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${project.bucket}/.tekamolo/*`,
    };
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: project.bucket,
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [deny] }),
      }),
    );
    // The first sync has no manifest to read: the denied read is not worth a word.
    const first = await tekamolo(['sync-frontend']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toContain('may not be read');
    expect(await keys()).toHaveLength(3 + 1);

    // Without the manifest the headers of the unchanged objects are unknown: set again, bytes not sent.
    const again = await tekamolo(['--json', 'sync-frontend']);
    expect(again.code, again.stderr).toBe(0);
    const warnings = jsonLines<SyncEvent>(again.stdout).filter((e) => e.code === 'warning');
    expect(warnings.map((w) => w.code === 'warning' && w.message)).toEqual([
      expect.stringContaining('.tekamolo/sync-manifest.json may not be read (access denied)'),
    ]);
    expect(summaryOf(again)).toMatchObject({ uploaded: 0, metadataUpdated: 3 });
  });

  it('--dry-run prints the plan and changes nothing', async () => {
    const trace = join(work, 'trace.jsonl');
    const run = await tekamolo(['--trace', trace, 'sync-frontend', '--dry-run', '--delete']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/upload \(3\):\n {2}assets\/app-1a2b3c4d\.js/);
    expect(run.stdout).toMatch(/dry run, nothing changed: would upload 3/);
    expect(changingCalls(await readTrace(trace))).toEqual([]);
    expect(await keys()).toEqual([]);
  });

  it('--delete with an empty folder exits 2 and leaves the bucket as it was', async () => {
    expect((await tekamolo(['sync-frontend'])).code).toBe(0);
    const before = await keys();
    await mkdir(join(work, 'empty'));
    const run = await tekamolo(['sync-frontend', '--delete', '--dir', join(work, 'empty')]);
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
    const run = await tekamolo(['sync-frontend']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/destroy` of this stack is running/);
    expect(await keys()).toEqual([]);
  });
});
