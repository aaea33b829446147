import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AutoScalingClient, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { statusDocument } from '../../src/output/json-schema.js';
import { JSON_VERSION } from '../../src/output/message.js';
import { interruptWhen } from '../support/cli.js';
import {
  type CliRun,
  changingCalls,
  createZone,
  type E2eProject,
  readTrace,
  runCli,
  writeProject,
} from '../support/e2e.js';
import { expectDocument } from '../support/json-contract.js';
import { MOTO_ACCOUNT, motoAvailable, useMoto } from '../support/moto.js';

/** Each test spawns the command line several times; a loaded machine needs more than the default. */
const CLI_TEST_MS = 120_000;

/**
 * `tekamolo status` as a user runs it: the built command line against a local moto_server, before and
 * after `up`, after changes made behind tekamolo's back, and without the state file.
 */

const DOMAIN = 'example.com';

interface JsonRow {
  key: string;
  title: string;
  state: string;
  id: string | null;
  shortId: string | null;
  detail: string | null;
  health: { state: string; detail?: string } | null;
  changes: { field: string; from: unknown; to: unknown; action: string }[];
  reason: string | null;
  error: string | null;
  hint: string | null;
}

interface JsonDocument {
  version: number;
  stack: string;
  scope: { account: string; partition: string; region: string; profile: string | null };
  time: string;
  durationMs: number;
  stateFile: { path: string; exists: boolean };
  ok: boolean;
  resources: JsonRow[];
  summary: {
    ok: boolean;
    counts: Record<string, number>;
    urls: { site: string[]; api: string; cloudfront: string | null };
    nextSteps: string[];
  };
  awsCalls: { total: number; changing: number } | null;
}

/** The reading's rows, after checking the document against the JSON contract. */
function rowsOf(run: CliRun): JsonRow[] {
  return (expectDocument(run.stdout, statusDocument) as JsonDocument).resources;
}

function states(rows: JsonRow[]): Record<string, string> {
  return Object.fromEntries(rows.map((r) => [r.key, r.state]));
}

describe.skipIf(!motoAvailable())('tekamolo status against the emulator', () => {
  const moto = useMoto({ reset: 'file' });
  let project: E2eProject;
  let zoneId: string;

  const clientOptions = (region: string) => ({
    region,
    endpoint: moto.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const cli = () => ({ env: moto.env(), cwd: project.dir });
  const run = (...args: string[]) => runCli(['-c', project.config, ...args], cli());

  /** An empty account with the domain's hosted zone, and a project folder for the stack. */
  const emptyAccount = async () => {
    await moto.reset();
    project = await writeProject({ stack: 'st', domain: DOMAIN, scaling: { min: 1, desired: 2, max: 4 } });
    zoneId = await createZone(DOMAIN);
  };

  const up = async () => {
    const result = await run('--yes', 'up');
    expect(result.code, result.stderr).toBe(0);
  };

  describe('before up', () => {
    beforeEach(emptyAccount);

    it(
      'before up: every resource of the stack is missing and --exit-code exits 3',
      async () => {
        const trace = join(project.dir, 'trace.jsonl');
        const result = await run('--trace', trace, 'status', '--exit-code');
        expect(result.code, result.stderr).toBe(3);
        const lines = result.stdout.split('\n');
        for (const key of ['certificate.cdn', 'bucket', 'loadBalancer', 'distribution', 'dnsAlias']) {
          expect(lines.find((l) => l.trimStart().startsWith(`${key} `))).toMatch(/\bmissing\b/);
        }
        expect(result.stdout).toContain('no state file at');
        expect(result.stdout).toContain('nothing of stack st exists yet: run `tekamolo up`');

        const json = await run('--json', 'status');
        expect(json.code).toBe(0);
        const rows = rowsOf(json);
        const notLookedUp = rows.filter((r) => r.key !== 'zone' && r.key !== 'network');
        expect(notLookedUp.length).toBeGreaterThan(10);
        expect(notLookedUp.every((r) => r.state === 'missing' && r.id === null)).toBe(true);
        expect(states(rows)).toMatchObject({ zone: 'ok', network: 'ok' });

        const calls = await readTrace(trace);
        expect(calls.length).toBeGreaterThan(0);
        expect(changingCalls(calls)).toEqual([]);
      },
      CLI_TEST_MS,
    );

    it(
      "--watch repeats the reading when piped until Ctrl-C, and exits with the last reading's code",
      async () => {
        const readings = (text: string) => text.split('Status of stack st at').length - 1;
        const plain = await interruptWhen(
          ['-c', project.config, 'status', '--exit-code', '--watch', '0.2'],
          cli(),
          'stdout',
          (out) => readings(out) >= 2 && out.trimEnd().endsWith('changing)'),
        );
        expect(plain.code, plain.stderr).toBe(3);
        expect(readings(plain.stdout)).toBeGreaterThanOrEqual(2);
        expect(plain.stdout).not.toContain('\x1b[2J');
        // status only reads: Ctrl-C has no step to finish and no state to save.
        expect(plain.stderr).toContain('stopping: reads in flight finish; nothing was changed');
        expect(plain.stderr).not.toContain('state is saved');

        const lines = (text: string) => text.split('\n').filter(Boolean);
        const json = await interruptWhen(
          ['-c', project.config, '--json', 'status', '--watch', '0.2'],
          cli(),
          'stdout',
          (out) => lines(out).length >= 2 && out.endsWith('\n'),
        );
        expect(json.code, json.stderr).toBe(0);
        const documents = lines(json.stdout).map(
          (line) => expectDocument(line, statusDocument) as JsonDocument,
        );
        expect(documents.length).toBeGreaterThanOrEqual(2);
        expect(documents.every((d) => d.stack === 'st' && d.resources.length === 19)).toBe(true);
        expect(new Set(documents.map((d) => d.time)).size).toBe(documents.length);
      },
      CLI_TEST_MS,
    );
  });

  // One stack for both: the first reads it as built, the second changes it behind tekamolo's back.
  describe('after one up', () => {
    beforeAll(async () => {
      await emptyAccount();
      await up();
    }, CLI_TEST_MS);

    it(
      'after up: every row ok, exit 0, one JSON document, and not one changing call',
      async () => {
        const trace = join(project.dir, 'status-trace.jsonl');
        const result = await run('--trace', trace, 'status', '--exit-code');
        expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
        expect(result.stdout).toContain('all ok: 19 ok');
        expect(result.stdout).toContain(`https://${DOMAIN}/api/ (API)`);
        const calls = await readTrace(trace);
        expect(calls.length).toBeGreaterThan(19);
        expect(changingCalls(calls)).toEqual([]);

        const json = await run('--json', 'status', '--exit-code');
        expect(json.code).toBe(0);
        const doc = expectDocument(json.stdout, statusDocument) as JsonDocument;
        expect(Object.keys(doc).sort()).toEqual(
          [
            'awsCalls',
            'command',
            'durationMs',
            'ok',
            'resources',
            'scope',
            'stack',
            'stateFile',
            'summary',
            'time',
            'version',
          ].sort(),
        );
        expect(doc.scope).toEqual({
          account: MOTO_ACCOUNT,
          partition: 'aws',
          region: 'eu-central-1',
          profile: null,
        });
        expect(doc).toMatchObject({
          version: JSON_VERSION,
          command: 'status',
          stack: 'st',
          ok: true,
          stateFile: { exists: true },
        });
        expect(Number.isNaN(Date.parse(doc.time))).toBe(false);
        expect(doc.awsCalls?.changing).toBe(0);
        expect(doc.summary.urls).toEqual({
          site: [`https://${DOMAIN}/`, `https://www.${DOMAIN}/`],
          api: `https://${DOMAIN}/api/`,
          cloudfront: expect.stringMatching(/^https:\/\/\w+\.cloudfront\.net\/$/),
        });
        expect(doc.summary.counts).toEqual({
          error: 0,
          missing: 0,
          foreign: 0,
          leftover: 0,
          drifted: 0,
          unhealthy: 0,
          pending: 0,
          ok: 19,
        });
        expect(doc.summary.nextSteps).toEqual([]);
        const rowKeys = [
          'key',
          'title',
          'state',
          'id',
          'shortId',
          'detail',
          'health',
          'changes',
          'reason',
          'error',
          'hint',
        ];
        for (const row of doc.resources) {
          expect(Object.keys(row).sort()).toEqual([...rowKeys].sort());
          expect(row.state).toBe('ok');
          expect(typeof row.id).toBe('string');
        }
        const byKey = new Map(doc.resources.map((r) => [r.key, r]));
        expect(byKey.get('certificate.cdn')?.detail).toMatch(/^ISSUED, expires \d{4}-\d\d-\d\d/);
        expect(byKey.get('targetGroup')?.detail).toMatch(/2\/2 targets healthy/);
        expect(byKey.get('autoScalingGroup')?.detail).toMatch(/desired 2 .*2 InService/);
        expect(byKey.get('elasticIp')?.detail).toMatch(/→ i-\w+ \(running\)/);
        expect(byKey.get('distribution')?.detail).toMatch(/^Deployed, \w+\.cloudfront\.net/);
        expect(byKey.get('bucket')?.detail).toMatch(/^0 objects/);
      },
      CLI_TEST_MS,
    );

    it(
      'shows an alias record deleted and an ASG resized behind its back, with and without the state file',
      async () => {
        const route53 = new Route53Client(clientOptions('us-east-1'));
        const records = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
        const apexA = records.ResourceRecordSets?.find((r) => r.Name === `${DOMAIN}.` && r.Type === 'A');
        expect(apexA?.AliasTarget).toBeDefined();
        await route53.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            ChangeBatch: { Changes: [{ Action: 'DELETE', ResourceRecordSet: apexA }] },
          }),
        );
        route53.destroy();
        const autoscaling = new AutoScalingClient(clientOptions('eu-central-1'));
        await autoscaling.send(
          new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'st-backend', MinSize: 2, MaxSize: 6 }),
        );
        autoscaling.destroy();

        const expectDrift = (run: CliRun) => {
          expect(run.code, run.stderr).toBe(3);
          const rows = rowsOf(run);
          const byKey = new Map(rows.map((r) => [r.key, r]));
          expect(byKey.get('dnsAlias')?.state).toBe('drifted');
          expect(byKey.get('dnsAlias')?.changes.map((c) => c.field)).toEqual([`${DOMAIN} A`]);
          expect(byKey.get('autoScalingGroup')?.state).toBe('drifted');
          expect(byKey.get('autoScalingGroup')?.changes.map((c) => [c.field, c.from, c.to])).toEqual([
            ['min', 2, 1],
            ['max', 6, 4],
          ]);
          const others = rows.filter((r) => r.key !== 'dnsAlias' && r.key !== 'autoScalingGroup');
          expect(others.filter((r) => r.state !== 'ok').map((r) => [r.key, r.state])).toEqual([]);
          return rows;
        };

        const withState = await run('--json', 'status', '--exit-code');
        const rowsWithState = expectDrift(withState);
        const human = await run('status', '--exit-code');
        expect(human.code).toBe(3);
        expect(human.stdout).toMatch(/dnsAlias\s+drifted/);
        expect(human.stdout).toContain(`${DOMAIN} A: `);
        expect(human.stdout).toContain('min: 2 → 1');
        expect(human.stdout).toContain('`tekamolo up` puts them back');

        await rm(dirname(project.stateFile), { recursive: true, force: true });
        const withoutState = await run('--json', 'status', '--exit-code');
        const rowsWithoutState = expectDrift(withoutState);
        expect((JSON.parse(withoutState.stdout) as JsonDocument).stateFile.exists).toBe(false);
        expect(rowsWithoutState.map((r) => [r.key, r.id, r.state])).toEqual(
          rowsWithState.map((r) => [r.key, r.id, r.state]),
        );
        const note = await run('status');
        expect(note.stdout).toContain('`tekamolo up` adopts what was found');
        expect(existsSync(project.stateFile)).toBe(false);
      },
      CLI_TEST_MS,
    );
  });
});
