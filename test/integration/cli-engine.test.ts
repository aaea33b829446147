import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isReadOnlyOperation, type TraceRecord } from '../../src/aws/trace.js';
import { type Moto, motoAvailable, startMoto } from '../support/moto.js';

/**
 * The built command line (`npm run build`, which `npm install` runs) against a local moto_server:
 * exit codes, the credentials preflight, the trace file, the state file, and the destroy confirmation.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = join(root, 'bin', 'tekamolo.js');

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
    // stdin is not a terminal: the CLI can never prompt here.
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
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as TraceRecord);
}

async function writeConfig(dir: string, stack: string): Promise<string> {
  const file = join(dir, 'tekamolo.yaml');
  // The emulator has no CloudFront Functions API: routing off.
  await writeFile(
    file,
    [
      `stack: ${stack}`,
      'region: eu-central-1',
      'domain: example.com',
      'frontend:',
      '  routing: none',
      `  bucket: ${stack}-site-${Date.now()}`,
      'waits:',
      '  pollSeconds: 0.05',
      '',
    ].join('\n'),
  );
  return file;
}

describe('CLI without credentials', () => {
  it('exits 2 before any AWS call and says how to provide credentials', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tekamolo-cli-'));
    const config = await writeConfig(dir, 'nocreds');
    const empty = join(dir, 'empty');
    await writeFile(empty, '');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: dir,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: empty,
      AWS_SHARED_CREDENTIALS_FILE: empty,
      AWS_REGION: 'eu-central-1',
      // Nothing listens here; the preflight must fail on the credentials before trying to connect.
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      NO_COLOR: '1',
    };
    const trace = join(dir, 'trace.jsonl');
    const run = await tekamolo(['-c', config, '--trace', trace, 'plan'], env, dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no valid AWS credentials');
    expect(run.stderr).toContain('AWS_PROFILE');
    expect(run.stderr).toContain('aws configure');
    expect(run.stderr).toContain('aws sso login');
    expect(existsSync(join(dir, '.tekamolo'))).toBe(false);
  });
});

describe.skipIf(!motoAvailable())('CLI against the emulator', () => {
  let moto: Moto;
  let dir: string;
  let config: string;
  let env: NodeJS.ProcessEnv;
  let stateFile: string;

  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    const route53 = new Route53Client({ region: 'us-east-1' });
    await route53.send(
      new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: `cli-${Date.now()}` }),
    );
    route53.destroy();
    dir = await mkdtemp(join(tmpdir(), 'tekamolo-cli-'));
    config = await writeConfig(dir, 'clitest');
    stateFile = join(dir, '.tekamolo', 'state.json');
    env = moto.env({ AWS_EC2_METADATA_DISABLED: 'true' });
  });

  it('traces every AWS call as one JSON line with the contract fields, through AWS_ENDPOINT_URL', async () => {
    const trace = join(dir, 'trace.jsonl');
    const run = await tekamolo(['-c', config, '--trace', trace, 'plan'], env, dir);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('to create');
    expect(run.code).toBe(0);
    const text = await readFile(trace, 'utf8');
    const lines = text.trimEnd().split('\n');
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.length).toBeGreaterThan(3);
    for (const r of records) {
      expect(Object.keys(r).sort()).toEqual(
        r.ok ? ['attempts', 'durationMs', 'ok', 'operation', 'region', 'service', 'time'] : expect.any(Array),
      );
      expect(new Date(String(r.time)).toISOString()).toBe(r.time);
      expect(r.service).toMatch(/^[a-z0-9]+$/);
      expect(r.operation).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(r.operation).not.toMatch(/Command$/);
      expect(typeof r.durationMs).toBe('number');
      expect(typeof r.attempts).toBe('number');
    }
    const services = new Set(records.map((r) => r.service));
    expect(services).toContain('sts');
    expect(services).toContain('route53');
    expect(records[0]).toMatchObject({ service: 'sts', operation: 'GetCallerIdentity', ok: true });
    // Every call reached the emulator (there is no other network here) and plan changed nothing.
    expect(records.filter((r) => !isReadOnlyOperation(String(r.operation)))).toEqual([]);
  });

  it('plan --exit-code exits 3 when something would change; --json is one document', async () => {
    const run = await tekamolo(['-c', config, '--json', 'plan', '--exit-code'], env, dir);
    expect(run.code).toBe(3);
    const doc = JSON.parse(run.stdout) as { stack: string; summary: { create: number }; summaryLine: string };
    expect(doc.stack).toBe('clitest');
    expect(doc.summary.create).toBeGreaterThan(10);
    expect(doc.summaryLine).toMatch(/^\d+ to create, 0 to update, 0 to replace, 0 to take over$/);
    expect(existsSync(stateFile)).toBe(false);
  });

  it('up, up again with no changing call, destroy asks, destroy --yes, destroy again with no changing call', async () => {
    const trace = join(dir, 'trace.jsonl');
    const up = await tekamolo(['-c', config, '--trace', trace, 'up'], env, dir);
    expect(up.stderr).not.toContain('error');
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('https://example.com/');
    const state = JSON.parse(await readFile(stateFile, 'utf8')) as {
      stack: string;
      resources: Record<string, unknown>;
    };
    expect(state.stack).toBe('clitest');
    expect(Object.keys(state.resources)).toContain('distribution');
    expect(existsSync(`${stateFile}.lock`)).toBe(false);

    const second = join(dir, 'second.jsonl');
    const again = await tekamolo(['-c', config, '--trace', second, 'up'], env, dir);
    expect(again.code).toBe(0);
    expect((await readTrace(second)).filter((r) => !isReadOnlyOperation(r.operation))).toEqual([]);

    const plan = await tekamolo(['-c', config, 'plan', '--exit-code'], env, dir);
    expect(plan.stdout).toContain('0 to create, 0 to update, 0 to replace, 0 to take over');
    expect(plan.code).toBe(0);

    const preview = await tekamolo(['-c', config, 'plan', '--destroy', '--exit-code'], env, dir);
    expect(preview.code).toBe(3);
    expect(preview.stdout).toMatch(/\n\d+ to delete, 2 kept\n$/);
    expect(preview.stdout).toContain('kept: ');

    const refused = join(dir, 'refused.jsonl');
    const ask = await tekamolo(['-c', config, '--trace', refused, 'destroy'], env, dir);
    expect(ask.code).toBe(2);
    expect(ask.stderr).toContain('nothing was deleted');
    expect(ask.stderr).toContain('--yes');
    expect((await readTrace(refused)).filter((r) => !isReadOnlyOperation(r.operation))).toEqual([]);

    const down = await tekamolo(['-c', config, '--json', 'destroy', '--yes'], env, dir);
    expect(down.code).toBe(0);
    const events = down.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; ok?: boolean });
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', ok: true });
    expect(existsSync(stateFile)).toBe(false);
    expect(existsSync(`${stateFile}.bak`)).toBe(true);

    const last = join(dir, 'last.jsonl');
    const nothing = await tekamolo(['-c', config, '--trace', last, 'destroy', '--yes'], env, dir);
    expect(nothing.code).toBe(0);
    expect((await readTrace(last)).filter((r) => !isReadOnlyOperation(r.operation))).toEqual([]);
  }, 180_000);

  it('exits 1 naming who holds the lock, and changes nothing', async () => {
    const lock = `${stateFile}.lock`;
    await mkdir(dirname(lock), { recursive: true });
    await writeFile(
      lock,
      JSON.stringify({
        pid: process.pid,
        host: hostname(),
        startedAt: '2026-11-25T20:00:00.000Z',
        command: 'up',
      }),
    );
    const trace = join(dir, 'trace.jsonl');
    const run = await tekamolo(['-c', config, '--trace', trace, 'up'], env, dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `locked by \`tekamolo up\` (pid ${process.pid} on ${hostname()}) since 2026-11-25T20:00:00.000Z`,
    );
    expect((await readTrace(trace)).filter((r) => !isReadOnlyOperation(r.operation))).toEqual([]);
    expect(existsSync(lock)).toBe(true);
  });

  it('exits 2 on a corrupt state file and leaves it alone', async () => {
    await mkdir(dirname(stateFile), { recursive: true });
    await writeFile(stateFile, '{"version": 1, "sta');
    const run = await tekamolo(['-c', config, 'up'], env, dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is corrupt');
    expect(await readFile(stateFile, 'utf8')).toBe('{"version": 1, "sta');
  });
});
