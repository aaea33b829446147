import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { history, pull, push, stateText } from '../../../../src/cli/commands/state.js';
import { ExitCode } from '../../../../src/errors.js';
import {
  stateHistoryDocument,
  statePullDocument,
  statePushDocument,
} from '../../../../src/output/json-schema.js';
import { runCommand } from '../../../support/command.js';
import { type FakeStateBucket, fakeStateBucket } from '../../../support/fake-state-bucket.js';
import { expectDocument, expectEventLines } from '../../../support/json-contract.js';

const SECRET = 'a1b2c3d4e5f6a7b8c9d0e1f2';
const KEY = 'acme/default.json';
const state = {
  version: 1,
  stack: 'acme',
  updatedAt: '2026-01-01T00:00:00.000Z',
  account: { id: '123456789012', partition: 'aws' },
  resources: { listener: { arn: 'arn:listener', originSecret: SECRET } },
  retired: [{ key: 'listener', actual: { id: 'arn:old', originSecret: SECRET } }],
};

describe('state pull: the text', () => {
  it('hides every secret field, wherever it sits, unless asked for', () => {
    const hidden = stateText(state, false);
    expect(hidden).not.toContain(SECRET);
    expect(JSON.parse(hidden)).toMatchObject({ resources: { listener: { arn: 'arn:listener' } } });
    expect(hidden).toContain('--show-secrets');
    expect(JSON.parse(stateText(state, true))).toEqual(state);
  });
});

/** The state commands in this process, against a state bucket held in memory. */
describe('state pull, push and history', () => {
  let s3: AwsClientStub<S3Client>;
  let sts: AwsClientStub<STSClient>;
  let bucket: FakeStateBucket;
  let dir: string;
  let config: string;

  const writeConfig = (lines: string[]) =>
    writeFile(config, ['stack: acme', 'region: eu-central-1', 'domain: example.com', ...lines].join('\n'));

  beforeEach(async () => {
    s3 = mockClient(S3Client);
    sts = mockClient(STSClient);
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/ci' });
    bucket = fakeStateBucket(s3);
    dir = await mkdtemp(join(tmpdir(), 'tekamolo-state-cmd-'));
    config = join(dir, 'tekamolo.yaml');
    await writeConfig(['state:', '  bucket: acme-state']);
  });
  afterEach(async () => {
    s3.restore();
    sts.restore();
    await rm(dir, { recursive: true, force: true });
  });

  it('pull: the state file itself on stdout, or with --json the document around it; secrets hidden', async () => {
    bucket.put(KEY, JSON.stringify(state));
    const plain = await runCommand(pull, { config }, {});
    expect(plain.code, plain.stderr).toBe(ExitCode.ok);
    expect(plain.stdout).not.toContain(SECRET);
    expect(JSON.parse(plain.stdout)).toMatchObject({
      stack: 'acme',
      resources: { listener: { arn: 'arn:listener' } },
    });

    const json = await runCommand(pull, { config, json: true }, {});
    expect(json.code, json.stderr).toBe(ExitCode.ok);
    expect(json.stdout).not.toContain(SECRET);
    const document = expectDocument(json.stdout, statePullDocument);
    expect(document).toMatchObject({ location: `s3://acme-state/${KEY}`, state: { stack: 'acme' } });
  });

  it('pull without a state: exit 1 and, with --json, the error event as the only line', async () => {
    const run = await runCommand(pull, { config, json: true }, {});
    expect(run.code).toBe(ExitCode.failure);
    const [error] = expectEventLines(run.stdout);
    expect(error).toMatchObject({ code: 'error', error: `there is no state at s3://acme-state/${KEY}` });
  });

  it('push moves a local file into the bucket once; the same state again is no change', async () => {
    const file = join(dir, 'local.json');
    await writeFile(file, JSON.stringify(state));
    const first = await runCommand(push, { config, json: true }, { file });
    expect(first.code, first.stderr).toBe(ExitCode.ok);
    expect(expectDocument(first.stdout, statePushDocument)).toMatchObject({
      from: file,
      to: `s3://acme-state/${KEY}`,
      pushed: true,
    });
    expect(JSON.parse(bucket.text(KEY) ?? '')).toMatchObject({ stack: 'acme', resources: state.resources });
    // The lock was taken and given back.
    expect(bucket.text(`${KEY}.lock`)).toBeUndefined();

    const again = await runCommand(push, { config }, { file });
    expect(again.code, again.stderr).toBe(ExitCode.ok);
    expect(again.stdout).toBe(`s3://acme-state/${KEY} already holds this state: nothing to push\n`);
  });

  it('push never overwrites a different state: exit 2, the bucket keeps its own', async () => {
    const theirs = JSON.stringify({ ...state, resources: {} });
    bucket.put(KEY, theirs);
    const file = join(dir, 'local.json');
    await writeFile(file, JSON.stringify(state));
    const run = await runCommand(push, { config }, { file });
    expect(run.code).toBe(ExitCode.badInput);
    expect(run.stderr).toContain('already holds a different state of stack acme; it was not overwritten');
    expect(run.stdout).toBe('');
    expect(bucket.text(KEY)).toBe(theirs);
  });

  it('history lists every version newest first, with who wrote it; --json validates against the contract', async () => {
    bucket.put(KEY, JSON.stringify(state), { command: 'up', by: 'ana@laptop' });
    bucket.put(KEY, JSON.stringify({ ...state, resources: {} }), { command: 'destroy', by: 'ci@runner' });
    const json = await runCommand(history, { config, json: true }, {});
    expect(json.code, json.stderr).toBe(ExitCode.ok);
    const document = expectDocument(json.stdout, stateHistoryDocument);
    expect(document.versions.map((v) => [v.versionId, v.command, v.by, v.latest])).toEqual([
      ['v2', 'destroy', 'ci@runner', true],
      ['v1', 'up', 'ana@laptop', false],
    ]);

    const plain = await runCommand(history, { config }, {});
    expect(plain.stdout.split('\n')[0]).toMatch(/^\S+ {2}destroy by ci@runner {2}version v2 {2}\(current\)$/);
    expect(plain.stderr).toBe('');
  });

  it('history of a config without state.bucket: exit 2 naming the setting, no AWS call but the preflight', async () => {
    await writeConfig([]);
    const run = await runCommand(history, { config }, {});
    expect(run.code).toBe(ExitCode.badInput);
    expect(run.stderr).toContain('state history needs state.bucket in the config');
    expect(s3.calls()).toEqual([]);
  });
});
