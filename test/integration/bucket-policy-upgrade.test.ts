import { GetBucketPolicyCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  changingCalls,
  createZone,
  type E2eProject,
  readTrace,
  runCli,
  Sdk,
  writeProject,
} from '../support/e2e.js';
import { type Moto, motoAvailable, startMoto } from '../support/moto.js';

/**
 * A stack built before the bucket policy denied CloudFront tekamolo's private prefix: its policy holds
 * the Allow statement alone. `plan` shows the missing Deny as an update and `up` adds it.
 */

const STACK = 'polup';
const DOMAIN = 'policy-upgrade.example';

interface Statement {
  Sid?: string;
  Effect?: string;
  Resource?: string;
}

interface PlanDocument {
  resources: { key: string; action: string; changes: { field: string; from: unknown }[] }[];
}

describe.skipIf(!motoAvailable())(
  'up on a stack whose bucket policy predates the private-prefix Deny',
  () => {
    let moto: Moto;
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
      moto = await startMoto({ acmValidationWait: 0 });
      sdk = new Sdk('eu-central-1');
    });
    afterAll(async () => {
      sdk?.destroy();
      await moto?.stop();
    });
    beforeEach(async () => {
      await moto.reset();
      await createZone(DOMAIN);
      project = await writeProject({ stack: STACK, domain: DOMAIN });
      env = moto.env({ AWS_EC2_METADATA_DISABLED: 'true' });
    });

    it('plan shows the missing Deny as an update of bucketPolicy alone; up adds it and keeps the Allow', async () => {
      const first = await cli(['--yes', 'up']);
      expect(first.code, first.stderr).toBe(0);
      const built = await statements();
      expect(built.map((s) => [s.Sid, s.Effect])).toEqual([
        [`tekamolo-${STACK}-cloudfront`, 'Allow'],
        [`tekamolo-${STACK}-cloudfront-private`, 'Deny'],
      ]);
      expect(built[1]?.Resource).toBe(`arn:aws:s3:::${project.bucket}/.tekamolo/*`);

      // The policy as an up of an earlier version wrote it.
      const allowOnly = built.filter((s) => s.Effect === 'Allow');
      await sdk.s3.send(
        new PutBucketPolicyCommand({
          Bucket: project.bucket,
          Policy: JSON.stringify({ Version: '2012-10-17', Statement: allowOnly }),
        }),
      );

      const plan = await cli(['--json', 'plan', '--exit-code']);
      expect(plan.code, plan.stderr).toBe(3);
      const doc = JSON.parse(plan.stdout) as PlanDocument;
      const changed = doc.resources.filter((r) => r.action !== 'noop');
      expect(changed.map((r) => [r.key, r.action])).toEqual([['bucketPolicy', 'update']]);
      expect(changed[0]?.changes.map((c) => [c.field, c.from])).toEqual([['deny', 'none']]);

      const trace = `${project.dir}/up.jsonl`;
      const second = await cli(['--yes', '--trace', trace, 'up']);
      expect(second.code, second.stderr).toBe(0);
      expect(changingCalls(await readTrace(trace))).toEqual(['s3:PutBucketPolicy']);
      expect(await statements()).toEqual(built);

      const clean = await cli(['plan', '--exit-code']);
      expect(clean.code, clean.stdout).toBe(0);
    }, 120_000);
  },
);
