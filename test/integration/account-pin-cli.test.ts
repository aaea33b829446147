import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StateFile } from '../../src/state/types.js';
import {
  type CliRun,
  changingCalls,
  countStack,
  createZone,
  type E2eProject,
  jsonLines,
  readTrace,
  runCli,
  Sdk,
  writeProject,
} from '../support/e2e.js';
import { accessKeyInAccount, MOTO_ACCOUNT, motoAvailable, useMoto } from '../support/moto.js';

/** Each test spawns the command line several times; a loaded machine needs more than the default. */
const CLI_TEST_MS = 180_000;
const OTHER_ACCOUNT = '210987654321';

/**
 * The account pin end to end: a stack made with the credentials of one account, then every command
 * that reads or changes it run with the credentials of another account (an IAM key the emulator maps
 * to that account). Each stops with exit 2 naming both accounts, before any change.
 */
describe.skipIf(!motoAvailable())('the state is pinned to the account of the first up', () => {
  const moto = useMoto();
  let project: E2eProject;
  let zoneId: string;
  let sdk: Sdk;

  const run = (args: string[], env: Record<string, string> = {}): Promise<CliRun> =>
    runCli(['-c', project.config, ...args], { env: moto.env(env), cwd: project.dir });

  beforeEach(async () => {
    sdk = new Sdk('eu-central-1');
    project = await writeProject({ stack: 'pin' });
    zoneId = await createZone(project.domain);
  });
  afterEach(() => {
    sdk.destroy();
  });

  it(
    'credentials of another account stop plan, up, status and destroy with exit 2; nothing changes',
    async () => {
      const first = await run(['--yes', '--json', 'up']);
      expect(first.code, first.stderr).toBe(0);
      const scope = { account: MOTO_ACCOUNT, partition: 'aws', region: 'eu-central-1', profile: null };
      expect(jsonLines(first.stdout)[0]).toMatchObject({ code: 'run-started', scope });
      const stateText = await readFile(project.stateFile, 'utf8');
      expect((JSON.parse(stateText) as StateFile).account).toEqual({ id: MOTO_ACCOUNT, partition: 'aws' });
      const before = await countStack(sdk, 'pin', zoneId);
      expect(before.loadBalancers).toBe(1);

      const plan = await run(['plan']);
      expect(plan.code, plan.stderr).toBe(0);
      expect(plan.stdout.split('\n')[0]).toBe(
        `Plan for stack pin (account ${MOTO_ACCOUNT}, region eu-central-1, default credentials):`,
      );

      const key = await accessKeyInAccount(moto.url, OTHER_ACCOUNT);
      const other = { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey };
      for (const command of [['plan'], ['--yes', 'up'], ['status'], ['--yes', 'destroy']]) {
        const trace = join(project.dir, `trace-${command.join('')}.jsonl`);
        const result = await run(['--trace', trace, ...command], other);
        expect(result.code, `${command.join(' ')}: ${result.stderr}`).toBe(2);
        expect(result.stderr).toContain(`belongs to AWS account ${MOTO_ACCOUNT} (aws)`);
        expect(result.stderr).toContain(`are of account ${OTHER_ACCOUNT} (aws)`);
        expect(result.stderr).toContain('no profile: the default credential chain');
        expect(changingCalls(await readTrace(trace))).toEqual([]);
      }
      expect(await readFile(project.stateFile, 'utf8')).toBe(stateText);
      expect(await countStack(sdk, 'pin', zoneId)).toEqual(before);
    },
    CLI_TEST_MS,
  );
});
