import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateHistoryDocument, statePushDocument, unlockDocument } from '../../src/output/json-schema.js';
import { S3Backend } from '../../src/state/s3-backend.js';
import type { StateFile } from '../../src/state/types.js';
import {
  type CliRun,
  changingCalls,
  countStack,
  createZone,
  type E2eProject,
  killAfterOperation,
  ONE_OF_EACH,
  readTrace,
  runBinary,
  runCli,
  Sdk,
  writeProject,
} from '../support/e2e.js';
import { expectDocument } from '../support/json-contract.js';
import { motoAvailable, useMoto } from '../support/moto.js';

/** Each test spawns the command line several times; a loaded machine needs more than the default. */
const CLI_TEST_MS = 300_000;
const KEY = 'team/default.json';

/**
 * State kept in S3 (state.bucket) end to end, against the emulator's conditional writes: one stack
 * is built once and then looked at from two work folders, locked, killed, unlocked, pulled and pushed.
 */
describe.skipIf(!motoAvailable())('team state in S3', () => {
  const moto = useMoto({ reset: 'file' });
  let sdk: Sdk;
  let zoneId: string;
  let here: E2eProject;
  let there: string;
  const stateBucket = `team-state-${process.pid}-${Date.now()}`;

  const run = (dir: string, args: string[]): Promise<CliRun> =>
    runCli(['-c', join(dir, 'tekamolo.yaml'), ...args], { env: moto.env(), cwd: dir });
  /** The built binary: for runs at the same time, as a run in this process has its environment to itself. */
  const runProcess = (dir: string, args: string[]): Promise<CliRun> =>
    runBinary(['-c', join(dir, 'tekamolo.yaml'), ...args], { env: moto.env(), cwd: dir });

  beforeAll(async () => {
    sdk = new Sdk('eu-central-1');
    here = await writeProject({
      stack: 'team',
      extra: ['state:', `  bucket: ${stateBucket}`, `  key: ${KEY}`],
    });
    zoneId = await createZone(here.domain);
    // A second work folder with the same config: another colleague's checkout, another CI job.
    there = await mkdtemp(join(tmpdir(), 'tekamolo-e2e-team-there-'));
    await writeFile(join(there, 'tekamolo.yaml'), await readFile(here.config, 'utf8'));
  });
  afterAll(async () => {
    sdk?.destroy();
  });

  it(
    'two ups at once: one builds, the other exits 1 naming the holder; the other folder then sees no change',
    async () => {
      const [a, b] = await Promise.all([
        runProcess(here.dir, ['--yes', 'up']),
        runProcess(there, ['--yes', 'up']),
      ]);
      const codes = [a.code, b.code].sort();
      expect(codes, `${a.stderr}\n---\n${b.stderr}`).toEqual([0, 1]);
      const refused = a.code === 1 ? a : b;
      expect(refused.stderr).toMatch(
        /the stack is locked by `tekamolo up` of .+ on .+ \(pid \d+\), started .+ ago; lock id [0-9a-f-]{36}/,
      );
      expect(await countStack(sdk, 'team', zoneId)).toMatchObject(ONE_OF_EACH);

      // The state bucket was made private, encrypted and versioned; no state file on either disk.
      const versioning = await sdk.s3.send(new GetBucketVersioningCommand({ Bucket: stateBucket }));
      expect(versioning.Status).toBe('Enabled');
      const block = await sdk.s3.send(new GetPublicAccessBlockCommand({ Bucket: stateBucket }));
      expect(block.PublicAccessBlockConfiguration?.RestrictPublicBuckets).toBe(true);
      await expect(readFile(here.stateFile)).rejects.toThrow();

      for (const dir of [here.dir, there]) {
        const plan = await run(dir, ['plan', '--exit-code']);
        expect(plan.code, plan.stderr).toBe(0);
      }
    },
    CLI_TEST_MS,
  );

  it(
    'a state write on a stale ETag is refused and the newer state stays',
    async () => {
      const s3 = sdk.s3;
      const backend = new S3Backend(s3, stateBucket, KEY, { command: 'up', by: 'test' });
      const read = await backend.read();
      expect(read).toContain('"stack": "team"');
      // Another writer, after this one read.
      const newer = read?.replace('"updatedAt": "', '"updatedAt": "1') ?? '';
      await s3.send(new PutObjectCommand({ Bucket: stateBucket, Key: KEY, Body: newer }));
      await expect(backend.write('{"overwritten":true}')).rejects.toThrow(/was changed by another run/);
      const now = await s3.send(new GetObjectCommand({ Bucket: stateBucket, Key: KEY }));
      expect(await now.Body?.transformToString()).toBe(newer);
    },
    CLI_TEST_MS,
  );

  it(
    'SIGKILL while holding the lock: the next run refuses; unlock <id> and up converges',
    async () => {
      const trace = join(here.dir, 'killed.jsonl');
      // The first PutObject of an up on a built stack is the lock object.
      const killed = await killAfterOperation(
        ['-c', here.config, '--yes', '--trace', trace, 'up'],
        { env: moto.env(), cwd: here.dir },
        trace,
        'PutObject',
      );
      expect(killed.finishedFirst).toBe(false);
      const refused = await run(there, ['--yes', 'up']);
      expect(refused.code, refused.stderr).toBe(1);
      const id = /lock id ([0-9a-f-]{36})/.exec(refused.stderr)?.[1] ?? '';
      expect(refused.stderr).toContain(`tekamolo unlock ${id}`);

      const wrongId = await run(there, ['--yes', 'unlock', '00000000-0000-0000-0000-000000000000']);
      expect(wrongId.code).toBe(2);
      expect(wrongId.stderr).toContain(`lock id ${id}`);
      const withoutYes = await run(there, ['unlock', id]);
      expect(withoutYes.code).toBe(2);

      const unlocked = await run(there, ['--json', '--yes', 'unlock', id]);
      expect(unlocked.code, unlocked.stderr).toBe(0);
      expect(expectDocument(unlocked.stdout, unlockDocument)).toMatchObject({ lockId: id, unlocked: true });
      const up = await run(there, ['--yes', 'up']);
      expect(up.code, up.stderr).toBe(0);
      const plan = await run(here.dir, ['plan', '--exit-code']);
      expect(plan.code, plan.stderr).toBe(0);
      await expect(
        sdk.s3.send(new HeadObjectCommand({ Bucket: stateBucket, Key: `${KEY}.lock` })),
      ).rejects.toThrow();
    },
    CLI_TEST_MS,
  );

  it(
    'pull prints the state, history lists its versions, push moves a file and never overwrites another state',
    async () => {
      // Secrets only when asked for: a pull on a terminal or in a CI log must not show the origin secret.
      const shown = await run(there, ['state', 'pull']);
      expect(shown.code, shown.stderr).toBe(0);
      const pulled = await run(there, ['state', 'pull', '--show-secrets']);
      expect(pulled.code, pulled.stderr).toBe(0);
      const state = JSON.parse(pulled.stdout) as StateFile;
      expect(state).toMatchObject({ stack: 'team', account: { id: '123456789012' } });
      expect(Object.keys(state.resources)).toContain('loadBalancer');
      const secret = (state.resources.listener as { originSecret?: string } | undefined)?.originSecret ?? '';
      expect(secret.length).toBeGreaterThanOrEqual(16);
      expect(shown.stdout).not.toContain(secret);
      expect(JSON.parse(shown.stdout)).toMatchObject({
        resources: { listener: { originSecret: expect.stringContaining('--show-secrets') } },
      });

      const history = await run(there, ['--json', 'state', 'history']);
      expect(history.code, history.stderr).toBe(0);
      const { versions } = expectDocument(history.stdout, stateHistoryDocument);
      expect(versions.length).toBeGreaterThan(1);
      expect(versions[0]).toMatchObject({ command: 'up', latest: true });

      // The reverse of push: the pulled state as a local file, pushed under another key.
      const file = join(there, 'pulled.json');
      await writeFile(file, pulled.stdout);
      const config = await readFile(here.config, 'utf8');
      await writeFile(join(there, 'tekamolo.yaml'), config.replace(KEY, 'team/pushed.json'));
      try {
        const trace = join(there, 'push.jsonl');
        const push = await run(there, ['--trace', trace, 'state', 'push', file]);
        expect(push.code, push.stderr).toBe(0);
        const again = await run(there, ['--json', 'state', 'push', file]);
        expect(again.code, again.stderr).toBe(0);
        expect(expectDocument(again.stdout, statePushDocument).pushed).toBe(false);

        const other = { ...state, resources: { ...state.resources, extra: { id: 'x' } } };
        await writeFile(file, JSON.stringify(other));
        const refused = await run(there, ['state', 'push', file]);
        expect(refused.code).toBe(2);
        expect(refused.stderr).toContain('already holds a different state of stack team');
        const kept = await sdk.s3.send(
          new GetObjectCommand({ Bucket: stateBucket, Key: 'team/pushed.json' }),
        );
        expect(JSON.parse((await kept.Body?.transformToString()) ?? '')).toEqual({
          ...state,
          updatedAt: expect.any(String),
        });
        expect(changingCalls(await readTrace(trace))).toContain('s3:PutObject');
      } finally {
        await writeFile(join(there, 'tekamolo.yaml'), config);
      }
    },
    CLI_TEST_MS,
  );
});
