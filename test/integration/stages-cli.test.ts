import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputsDocument } from '../../src/output/json-schema.js';
import {
  type CliRun,
  countStack,
  createZone,
  type E2eProject,
  NONE_LEFT,
  ONE_OF_EACH,
  readTrace,
  runCli,
  Sdk,
  writeProject,
} from '../support/e2e.js';
import { expectDocument } from '../support/json-contract.js';
import { motoAvailable, useMoto } from '../support/moto.js';

/** Each test spawns the command line several times; a loaded machine needs more than the default. */
const CLI_TEST_MS = 300_000;

/**
 * Stages end to end: one config, `--stage staging` and `--stage production` build two independent
 * stacks in one account; bad input about stages and the state in S3 stops before any change.
 */
describe.skipIf(!motoAvailable())('stages from one config', () => {
  const moto = useMoto({ reset: 'file' });
  let sdk: Sdk;
  let zoneId: string;
  let project: E2eProject;

  const run = (args: string[], env: Record<string, string> = {}): Promise<CliRun> =>
    runCli(['-c', project.config, ...args], { env: moto.env(env), cwd: project.dir });

  beforeAll(async () => {
    sdk = new Sdk('eu-central-1');
    zoneId = await createZone('example.com');
    // A fixed frontend.bucket is one name for every stage: each stage names its own.
    const bucket = `multi-site-${process.pid}-${Date.now()}`;
    project = await writeProject({
      stack: 'multi',
      bucket,
      extra: [
        'dns:',
        `  hostedZoneId: ${zoneId}`,
        'stages:',
        '  staging:',
        '    domain: staging.example.com',
        `    frontend: { bucket: ${bucket}-stg }`,
        '    tags: { env: staging }',
        '  production:',
        '    tags: { env: production }',
        `    frontend: { bucket: ${bucket}-prd }`,
      ],
    });
  });
  afterAll(async () => {
    sdk?.destroy();
  });

  it(
    'staging and production build two stacks with distinct names and tags; destroying staging leaves production',
    async () => {
      const staging = await run(['--stage', 'staging', '--yes', 'up']);
      expect(staging.code, staging.stderr).toBe(0);
      const production = await run(['--yes', 'up'], { TEKAMOLO_STAGE: 'production' });
      expect(production.code, production.stderr).toBe(0);
      const { records: _a, ...stagingCounts } = await countStack(sdk, 'multi-staging', zoneId);
      const { records: _b, ...productionCounts } = await countStack(sdk, 'multi-production', zoneId);
      expect(stagingCounts).toEqual(ONE_OF_EACH);
      expect(productionCounts).toEqual(ONE_OF_EACH);

      const destroy = await run(['--stage', 'staging', '--yes', 'destroy']);
      expect(destroy.code, destroy.stderr).toBe(0);
      const { records: _c, ...afterStaging } = await countStack(sdk, 'multi-staging', zoneId);
      const { records: _d, ...afterProduction } = await countStack(sdk, 'multi-production', zoneId);
      expect(afterStaging).toEqual(NONE_LEFT);
      expect(afterProduction).toEqual(ONE_OF_EACH);
      const plan = await run(['--stage', 'production', 'plan', '--exit-code']);
      expect(plan.code, plan.stderr).toBe(0);
      const outputs = await run(['--stage', 'production', '--json', 'outputs']);
      expect(outputs.code, outputs.stderr).toBe(0);
      const document = expectDocument(outputs.stdout, outputsDocument);
      expect(document).toMatchObject({ stack: 'multi-production', stage: 'production', ok: true });
      const text = await run(['outputs'], { TEKAMOLO_STAGE: 'production' });
      expect(text.stdout).toMatch(
        /^stack {9}multi-production \(stage production, account \d{12}, eu-central-1\)$/m,
      );
    },
    CLI_TEST_MS,
  );

  it(
    'an unknown stage is exit 2 before any AWS call',
    async () => {
      const trace = join(project.dir, 'unknown-stage.jsonl');
      const result = await run(['--stage', 'qa', '--trace', trace, '--yes', 'up']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('unknown stage "qa"');
      expect(result.stderr).toContain('the config defines staging, production');
      expect(await readTrace(trace)).toEqual([]);
    },
    CLI_TEST_MS,
  );

  it(
    'a state key that holds something else, in a bucket without versioning: a warning, then exit 2 and the object unchanged',
    async () => {
      const bucket = `not-state-${process.pid}-${Date.now()}`;
      await sdk.s3.send(
        new CreateBucketCommand({
          Bucket: bucket,
          CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' },
        }),
      );
      await sdk.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'site/notes.txt', Body: 'hello' }));
      const other = await writeProject({
        stack: 'keyed',
        extra: ['state:', `  bucket: ${bucket}`, '  key: site/notes.txt'],
      });
      const result = await runCli(['-c', other.config, '--yes', 'up'], { env: moto.env(), cwd: other.dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`state bucket ${bucket} has no versioning`);
      expect(result.stderr).toContain(`the state file s3://${bucket}/site/notes.txt is corrupt`);
      const kept = await sdk.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'site/notes.txt' }));
      expect(await kept.Body?.transformToString()).toBe('hello');
      const lock = sdk.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'site/notes.txt.lock' }));
      await expect(lock).rejects.toThrow();
    },
    CLI_TEST_MS,
  );
});
