import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run as unlock } from '../../../../src/cli/commands/unlock.js';
import { ExitCode } from '../../../../src/errors.js';
import { unlockDocument } from '../../../../src/output/json-schema.js';
import { runCommand } from '../../../support/command.js';
import { type FakeStateBucket, fakeStateBucket, s3Error } from '../../../support/fake-state-bucket.js';
import { expectDocument } from '../../../support/json-contract.js';

const LOCK = 'acme/default.json.lock';
const ID = '0b7a4c1e-3f59-4d2a-9c51-7e2f1a8b6d40';
const held = JSON.stringify({
  id: ID,
  who: 'ana',
  host: 'laptop',
  pid: 4242,
  startedAt: '2026-01-01T00:00:00.000Z',
  command: 'up',
});

/** `unlock <id>` in this process, against a state bucket held in memory. */
describe('unlock', () => {
  let s3: AwsClientStub<S3Client>;
  let sts: AwsClientStub<STSClient>;
  let bucket: FakeStateBucket;
  let dir: string;
  let config: string;

  beforeEach(async () => {
    s3 = mockClient(S3Client);
    sts = mockClient(STSClient);
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/ci' });
    bucket = fakeStateBucket(s3);
    dir = await mkdtemp(join(tmpdir(), 'tekamolo-unlock-'));
    config = join(dir, 'tekamolo.yaml');
    await writeFile(
      config,
      ['stack: acme', 'region: eu-central-1', 'domain: example.com', 'state:', '  bucket: acme-state'].join(
        '\n',
      ),
    );
  });
  afterEach(async () => {
    s3.restore();
    sts.restore();
    await rm(dir, { recursive: true, force: true });
  });

  it('removes the lock with that id (--yes); --json is one document by the contract', async () => {
    bucket.put(LOCK, held);
    const run = await runCommand(unlock, { config, json: true, yes: true }, { lockId: ID });
    expect(run.code, run.stderr).toBe(ExitCode.ok);
    expect(expectDocument(run.stdout, unlockDocument)).toMatchObject({
      lockId: ID,
      lock: `s3://acme-state/${LOCK}`,
      unlocked: true,
    });
    expect(bucket.text(LOCK)).toBeUndefined();
  });

  it('without a lock there is nothing to do: exit 0, the result on stdout', async () => {
    const plain = await runCommand(unlock, { config, yes: true }, { lockId: ID });
    expect(plain.code, plain.stderr).toBe(ExitCode.ok);
    expect(plain.stdout).toBe(`no lock at s3://acme-state/${LOCK}: nothing to unlock\n`);
    const json = await runCommand(unlock, { config, json: true, yes: true }, { lockId: ID });
    expect(expectDocument(json.stdout, unlockDocument).unlocked).toBe(false);
  });

  it('another id, or no --yes without a terminal: exit 2 and the lock stays', async () => {
    bucket.put(LOCK, held);
    const other = await runCommand(unlock, { config, yes: true }, { lockId: 'not-that-one' });
    expect(other.code).toBe(ExitCode.badInput);
    expect(other.stderr).toContain(`held by \`tekamolo up\` of ana on laptop (pid 4242)`);
    const unasked = await runCommand(unlock, { config }, { lockId: ID });
    expect(unasked.code).toBe(ExitCode.badInput);
    expect(unasked.stderr).toContain('the lock was not removed');
    expect(bucket.text(LOCK)).toBe(held);
  });

  it('a retried delete whose first attempt S3 applied (answer lost) counts as unlocked', async () => {
    bucket.put(LOCK, held);
    s3.on(DeleteObjectCommand).rejects(s3Error('NoSuchKey', 404));
    const run = await runCommand(unlock, { config, yes: true }, { lockId: ID });
    expect(run.code, run.stderr).toBe(ExitCode.ok);
    expect(run.stdout).toContain(`unlocked: removed lock ${ID}`);
  });

  it('a lock taken over while unlocking is not removed: exit 1', async () => {
    bucket.put(LOCK, held);
    s3.on(DeleteObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    const run = await runCommand(unlock, { config, yes: true }, { lockId: ID });
    expect(run.code).toBe(ExitCode.failure);
    expect(run.stderr).toContain('changed while unlocking: another run holds it now');
  });

  it('a config with a local state file has no S3 lock: exit 2, nothing read', async () => {
    await writeFile(config, ['stack: acme', 'region: eu-central-1', 'domain: example.com'].join('\n'));
    const run = await runCommand(unlock, { config, yes: true }, { lockId: ID });
    expect(run.code).toBe(ExitCode.badInput);
    expect(run.stderr).toContain('unlock removes a lock kept in S3');
    expect(s3.calls()).toEqual([]);
  });
});
