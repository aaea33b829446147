import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetBucketPolicyCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SyncEvent } from '../../src/sync/events.js';
import {
  assertBuilt,
  changingCalls,
  createZone,
  type E2eProject,
  jsonLines,
  readTrace,
  runCli,
  Sdk,
  writeProject,
} from '../support/e2e.js';
import { motoAvailable, useMoto } from '../support/moto.js';

/**
 * The bucket policy as `up` writes it, against the emulator: CloudFront's Allow leaves tekamolo's
 * private prefix out, with no Deny, so the owner's own read of the sync manifest works (the emulator
 * applies a Deny naming CloudFront to every caller). A policy of an earlier version, with such a Deny,
 * is updated by `up`.
 */

const STACK = 'polup';
const DOMAIN = 'policy-upgrade.example';

interface Statement {
  Sid?: string;
  Effect?: string;
  Resource?: string;
  NotResource?: string;
}

interface PlanDocument {
  resources: { key: string; action: string; changes: { field: string; from: unknown }[] }[];
}

describe.skipIf(!motoAvailable())('the bucket policy of `up` and the sync after it', () => {
  const moto = useMoto();
  let sdk: Sdk;
  let project: E2eProject;
  let env: NodeJS.ProcessEnv;
  const cli = (args: string[]) => runCli(['-c', project.config, ...args], { env, cwd: project.dir });

  async function statements(): Promise<Statement[]> {
    const policy = await sdk.s3.send(new GetBucketPolicyCommand({ Bucket: project.bucket }));
    return (JSON.parse(policy.Policy ?? '{}') as { Statement: Statement[] }).Statement;
  }

  beforeAll(async () => {
    assertBuilt();
    sdk = new Sdk('eu-central-1');
  });
  afterAll(async () => {
    sdk?.destroy();
  });
  beforeEach(async () => {
    await createZone(DOMAIN);
    project = await writeProject({ stack: STACK, domain: DOMAIN });
    env = moto.env({ AWS_EC2_METADATA_DISABLED: 'true' });
  });

  it('plan shows the Deny of an earlier version as an update of bucketPolicy alone; up removes it and keeps the Allow', async () => {
    const first = await cli(['--yes', 'up']);
    expect(first.code, first.stderr).toBe(0);
    const built = await statements();
    expect(built.map((s) => [s.Sid, s.Effect, s.NotResource])).toEqual([
      [`tekamolo-${STACK}-cloudfront`, 'Allow', `arn:aws:s3:::${project.bucket}/.tekamolo/*`],
    ]);

    // The policy as an up of an earlier version wrote it.
    const oldDeny = {
      Sid: `tekamolo-${STACK}-cloudfront-private`,
      Effect: 'Deny',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${project.bucket}/.tekamolo/*`,
    };
    await sdk.s3.send(
      new PutBucketPolicyCommand({
        Bucket: project.bucket,
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [...built, oldDeny] }),
      }),
    );

    const plan = await cli(['--json', 'plan', '--exit-code']);
    expect(plan.code, plan.stderr).toBe(3);
    const doc = JSON.parse(plan.stdout) as PlanDocument;
    const changed = doc.resources.filter((r) => r.action !== 'noop');
    expect(changed.map((r) => [r.key, r.action])).toEqual([['bucketPolicy', 'update']]);
    expect(changed[0]?.changes.map((c) => c.field)).toEqual(['deny']);

    const trace = `${project.dir}/up.jsonl`;
    const second = await cli(['--yes', '--trace', trace, 'up']);
    expect(second.code, second.stderr).toBe(0);
    expect(changingCalls(await readTrace(trace))).toEqual(['s3:PutBucketPolicy']);
    expect(await statements()).toEqual(built);

    const clean = await cli(['plan', '--exit-code']);
    expect(clean.code, clean.stdout).toBe(0);
  }, 120_000);

  it('after up, an unchanged re-sync and one after touching every file make no write and no invalidation', async () => {
    const up = await cli(['--yes', 'up']);
    expect(up.code, up.stderr).toBe(0);
    const dist = join(project.dir, 'dist');
    const files: string[] = [];
    for (const folder of ['', 'docs/', 'assets/']) {
      await mkdir(join(dist, folder), { recursive: true });
      for (let i = 0; i < 20; i++) files.push(`${folder}page${i}.html`);
    }
    for (const file of files) await writeFile(join(dist, file), `<p>${file}</p>`);

    const first = await cli(['--json', 'sync-frontend']);
    expect(first.code, first.stderr).toBe(0);

    const quiet = async (name: string) => {
      const trace = join(project.dir, `${name}.jsonl`);
      const run = await cli(['--json', '--trace', trace, 'sync-frontend']);
      expect(run.code, run.stderr).toBe(0);
      const records = await readTrace(trace);
      expect(changingCalls(records), name).toEqual([]);
      expect(
        records.filter((r) => r.operation === 'ListObjectsV2'),
        name,
      ).toHaveLength(1);
      const warnings = jsonLines<SyncEvent>(run.stdout).filter((e) => e.code === 'warning');
      expect(warnings, name).toEqual([]);
    };
    await quiet('unchanged');
    const later = new Date(Date.now() + 60_000);
    for (const file of files) await utimes(join(dist, file), later, later);
    await quiet('touched');
  }, 120_000);
});
