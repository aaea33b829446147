import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { planDocument } from '../../src/output/json-schema.js';
import { changingCalls, createZone, readTrace, runCli, writeProject } from '../support/e2e.js';
import { expectDocument } from '../support/json-contract.js';
import { motoAvailable, useMoto } from '../support/moto.js';

/**
 * The built command line (`npm run build`, which `npm install` runs) against a local moto_server:
 * exit codes, the credentials preflight, the trace file and the state file (the destroy confirmation:
 * e2e-destroy.test.ts).
 */

describe('CLI without credentials', () => {
  it('exits 2 before any AWS call and says how to provide credentials', async () => {
    const { dir, config } = await writeProject({ stack: 'nocreds' });
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
    const run = await runCli(['-c', config, '--trace', trace, 'plan'], { env, cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no valid AWS credentials');
    expect(run.stderr).toContain('AWS_PROFILE');
    expect(run.stderr).toContain('aws configure');
    expect(run.stderr).toContain('aws sso login');
    expect(existsSync(join(dir, '.tekamolo'))).toBe(false);
  });
});

describe.skipIf(!motoAvailable())('CLI against the emulator', () => {
  const moto = useMoto();
  let dir: string;
  let config: string;
  let stateFile: string;
  const tekamolo = (args: string[]) =>
    runCli(['-c', config, ...args], { env: moto.env({ AWS_EC2_METADATA_DISABLED: 'true' }), cwd: dir });

  beforeEach(async () => {
    await createZone('example.com');
    ({ dir, config, stateFile } = await writeProject({ stack: 'clitest' }));
  });

  it('traces every AWS call as one JSON line with the contract fields, through AWS_ENDPOINT_URL', async () => {
    const trace = join(dir, 'trace.jsonl');
    const run = await tekamolo(['--trace', trace, 'plan']);
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
    expect(changingCalls(await readTrace(trace))).toEqual([]);
  });

  it('plan --exit-code exits 3 when something would change; --json is one document', async () => {
    const run = await tekamolo(['--json', 'plan', '--exit-code']);
    expect(run.code).toBe(3);
    const doc = expectDocument(run.stdout, planDocument);
    expect(doc.stack).toBe('clitest');
    expect(doc.summary.create).toBeGreaterThan(10);
    expect(doc.summaryLine).toMatch(/^\d+ to create, 0 to update, 0 to replace, 0 to take over$/);
    // The emulator's default VPC has three default subnets, each giving instances a public address.
    expect(doc.cost).toMatchObject({ estimate: true, region: 'eu-central-1', note: null });
    expect(doc.cost.monthly).toBeGreaterThan(0);
    const addresses = doc.cost.items.find((i) => i.name === 'public IPv4 addresses');
    expect(addresses?.detail).toMatch(/^4 \(load balancer 3, instances 1 incl\. the Elastic IP\)/);
    expect(existsSync(stateFile)).toBe(false);
  });

  it('up stops with exit 2 before any change when the key pair or AMI is not in the region; plan says so', async () => {
    const text = await readFile(config, 'utf8');
    await writeFile(
      config,
      text.replace('backend:\n', 'backend:\n  keyName: no-such-key\n  ami: ami-0123456789abcdef0\n'),
    );
    const trace = join(dir, 'trace.jsonl');
    const up = await tekamolo(['--trace', trace, '--yes', 'up']);
    expect(up.code).toBe(2);
    expect(up.stderr).toContain('tekamolo.yaml:8:12  backend.keyName: key pair no-such-key does not exist');
    expect(up.stderr).toContain('tekamolo.yaml:9:8  backend.ami: AMI ami-0123456789abcdef0 was not found');
    const records = await readTrace(trace);
    expect(records.map((r) => r.operation)).toContain('DescribeKeyPairs');
    expect(changingCalls(records)).toEqual([]);
    expect(existsSync(stateFile)).toBe(false);

    const plan = await tekamolo(['plan']);
    expect(plan.stderr).toContain('warning: `up` would stop here: the backend config does not match');
  });

  // up, up again, plan, destroy refused without --yes, destroy --json --yes and destroy again: the full
  // lifecycle of test/integration/e2e-destroy.test.ts checks each of these on one stack.
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
    const run = await tekamolo(['--trace', trace, 'up']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `locked by \`tekamolo up\` (pid ${process.pid} on ${hostname()}) since 2026-11-25T20:00:00.000Z`,
    );
    expect(changingCalls(await readTrace(trace))).toEqual([]);
    expect(existsSync(lock)).toBe(true);
  });

  it('plan and up warn, at the line, about SSH open to the world', async () => {
    ({ dir, config } = await writeProject({ stack: 'clitest', sshCidrs: ['0.0.0.0/0'] }));
    const warning =
      'tekamolo.yaml:8:14  backend.sshCidrs[0]: 0.0.0.0/0 opens SSH (port 22) to the whole internet; list only the addresses that need it, or leave sshCidrs empty and connect with Session Manager';
    const plan = await tekamolo(['--json', 'plan']);
    expect(plan.code).toBe(0);
    expect(plan.stderr).toBe(`warning: ${warning}\n`);
    expect(JSON.parse(plan.stdout)).toMatchObject({ stack: 'clitest' });
    // The warning comes before the run: here the run stops at once, as the domain has no hosted zone.
    ({ dir, config } = await writeProject({
      stack: 'clitest',
      domain: 'nozone.example',
      sshCidrs: ['0.0.0.0/0'],
    }));
    const up = await tekamolo(['--json', 'up']);
    const events = up.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { code: string; message?: string });
    expect(events.filter((e) => e.code === 'warning').map((e) => e.message)).toEqual([warning]);
  });

  it('exits 2 on a corrupt state file and leaves it alone', async () => {
    await mkdir(dirname(stateFile), { recursive: true });
    await writeFile(stateFile, '{"version": 1, "sta');
    const run = await tekamolo(['up']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is corrupt');
    expect(await readFile(stateFile, 'utf8')).toBe('{"version": 1, "sta');
  });
});
