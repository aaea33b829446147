import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode, UserError, WorkError } from '../../../src/errors.js';
import { S3Backend } from '../../../src/state/s3-backend.js';
import { acquireS3Lock, ago } from '../../../src/state/s3-lock.js';
import { etagOf } from '../../../src/state/s3-object.js';

const s3 = mockClient(S3Client);
const client = new S3Client({ region: 'eu-west-1' });
const writer = { command: 'up', by: 'ci@runner' };

function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });
}

/** The one method of a GetObject body that the state reads. */
function body(text: string) {
  return { transformToString: async () => text } as unknown as GetObjectCommandOutput['Body'];
}

beforeEach(() => s3.reset());
afterEach(() => s3.reset());

describe('state in S3: conditional writes', () => {
  it('the first write may only create; later writes are conditional on the ETag read', async () => {
    s3.on(GetObjectCommand).rejects(s3Error('NoSuchKey', 404));
    s3.on(PutObjectCommand).resolvesOnce({ ETag: '"v1"' }).resolves({ ETag: '"v2"' });
    const backend = new S3Backend(client, 'state', 'acme/default.json', writer);
    expect(await backend.read()).toBeUndefined();
    await backend.write('{"a":1}');
    await backend.write('{"a":2}');
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts[0]).toMatchObject({ IfNoneMatch: '*', Metadata: { command: 'up', by: 'ci@runner' } });
    expect(puts[0]?.IfMatch).toBeUndefined();
    expect(puts[1]).toMatchObject({ IfMatch: '"v1"' });
  });

  it('a write on a stale ETag is refused with exit 1 naming both versions; nothing is written again', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body('{}'), ETag: '"read"' });
    s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    s3.on(HeadObjectCommand).resolves({ ETag: '"newer"' });
    const backend = new S3Backend(client, 'state', 'k.json', writer);
    await backend.read();
    const failure = await backend.write('{"mine":true}').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkError);
    expect((failure as WorkError).exitCode).toBe(ExitCode.failure);
    expect((failure as Error).message).toContain('s3://state/k.json was changed by another run');
    expect((failure as Error).message).toContain('read: version "read"; now: version "newer"');
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  it('a retried write whose first attempt S3 applied (answer lost) is accepted, and the next write builds on it', async () => {
    const text = '{"resources":{}}';
    s3.on(GetObjectCommand).resolves({ Body: body('{}'), ETag: '"read"' });
    s3.on(PutObjectCommand).rejectsOnce(s3Error('PreconditionFailed', 412)).resolves({ ETag: '"v3"' });
    s3.on(HeadObjectCommand).resolves({ ETag: etagOf(text) });
    const backend = new S3Backend(client, 'state', 'k.json', writer);
    await backend.read();
    await backend.write(text);
    await backend.write('{"next":1}');
    expect(s3.commandCalls(PutObjectCommand)[1]?.args[0].input.IfMatch).toBe(etagOf(text));
  });

  it('a state deleted by another run is not written back', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body('{}'), ETag: '"read"' });
    s3.on(PutObjectCommand).rejects(s3Error('NoSuchKey', 404));
    s3.on(HeadObjectCommand).rejects(s3Error('NotFound', 404));
    const backend = new S3Backend(client, 'state', 'k.json', writer);
    await backend.read();
    await expect(backend.write('{}')).rejects.toThrow(/now: deleted\); it was not overwritten/);
  });

  it('a read S3 refuses is exit 1 naming the state; a missing bucket is no state yet', async () => {
    s3.on(GetObjectCommand).rejects(s3Error('AccessDenied', 403));
    const backend = new S3Backend(client, 'state', 'k.json', writer);
    const failure = await backend.read().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkError);
    expect((failure as Error).message).toContain('could not read the state s3://state/k.json: AccessDenied');
    s3.on(GetObjectCommand).rejects(s3Error('NoSuchBucket', 404));
    expect(await backend.read()).toBeUndefined();
  });

  it('a state removed and written again by another run is not removed', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body('{}'), ETag: '"read"' });
    s3.on(DeleteObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    s3.on(HeadObjectCommand).resolves({ ETag: '"newer"' });
    const backend = new S3Backend(client, 'state', 'k.json', writer);
    await backend.read();
    await expect(backend.remove()).rejects.toThrow(/read: version "read"; now: version "newer"/);
  });

  it('removing deletes only the version read; a retried delete that finds it gone is done', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body('{}'), ETag: '"read"' });
    s3.on(DeleteObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    s3.on(HeadObjectCommand).rejects(s3Error('NotFound', 404));
    const backend = new S3Backend(client, 'state', 'k.json', writer);
    await backend.read();
    await backend.remove();
    expect(s3.commandCalls(DeleteObjectCommand)[0]?.args[0].input).toMatchObject({ IfMatch: '"read"' });
  });
});

describe('state lock in S3', () => {
  const place = { s3: client, bucket: 'state', key: 'k.json.lock' };

  it('is created with If-None-Match: * and released by deleting exactly that object', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"lock1"' });
    s3.on(DeleteObjectCommand).resolves({});
    const lock = await acquireS3Lock(place, 'up');
    const put = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put).toMatchObject({ Bucket: 'state', Key: 'k.json.lock', IfNoneMatch: '*' });
    const info = JSON.parse(String(put?.Body));
    expect(info).toMatchObject({ command: 'up', id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    await lock.release();
    expect(s3.commandCalls(DeleteObjectCommand)[0]?.args[0].input).toMatchObject({
      Key: 'k.json.lock',
      IfMatch: '"lock1"',
    });
  });

  it('held by another run: exit 1 naming who, where, the command, how long ago and the id to unlock', async () => {
    const startedAt = new Date(Date.now() - 7 * 60_000).toISOString();
    const holder = { id: 'abc-123', who: 'ana', host: 'build-7', pid: 42, startedAt, command: 'destroy' };
    s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    s3.on(GetObjectCommand).resolves({ Body: body(JSON.stringify(holder)), ETag: '"held"' });
    const failure = await acquireS3Lock(place, 'up').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkError);
    expect((failure as Error).message).toBe(
      `the stack is locked by \`tekamolo destroy\` of ana on build-7 (pid 42), started ${startedAt}, 7 min ago; lock id abc-123`,
    );
    expect((failure as WorkError).hint).toContain('tekamolo unlock abc-123');
  });

  it('a retried create whose first attempt S3 applied (answer lost) holds the lock', async () => {
    let created = '';
    s3.on(PutObjectCommand).callsFake((input: { Body: string }) => {
      created = input.Body;
      throw s3Error('PreconditionFailed', 412);
    });
    s3.on(GetObjectCommand).callsFake(() => ({ Body: body(created), ETag: '"ours"' }));
    s3.on(DeleteObjectCommand).resolves({});
    const lock = await acquireS3Lock(place, 'up');
    await lock.release();
    expect(s3.commandCalls(DeleteObjectCommand)[0]?.args[0].input.IfMatch).toBe('"ours"');
  });

  it('a lock object that is not a tekamolo lock is bad input, never removed', async () => {
    s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    s3.on(GetObjectCommand).resolves({ Body: body('hello'), ETag: '"x"' });
    await expect(acquireS3Lock(place, 'up')).rejects.toBeInstanceOf(UserError);
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it('a lock released while this run tried to take it, or an S3 refusal, is exit 1 and nothing held', async () => {
    s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    s3.on(GetObjectCommand).rejects(s3Error('NoSuchKey', 404));
    await expect(acquireS3Lock(place, 'up')).rejects.toThrow(
      /it was released while this run tried to take it/,
    );
    s3.on(PutObjectCommand).rejects(s3Error('AccessDenied', 403));
    const failure = await acquireS3Lock(place, 'up').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkError);
    expect((failure as Error).message).toContain(
      'could not take the lock s3://state/k.json.lock: AccessDenied',
    );
  });

  it('release deletes once; a lock already removed (unlock) or taken by another run is left alone', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"lock1"' });
    s3.on(DeleteObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    const lock = await acquireS3Lock(place, 'up');
    await lock.release();
    await lock.release();
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(1);
    s3.on(DeleteObjectCommand).rejects(s3Error('AccessDenied', 403));
    await expect((await acquireS3Lock(place, 'up')).release()).rejects.toThrow('AccessDenied');
  });

  it('says how long ago in the largest unit that fits', () => {
    const now = Date.parse('2026-01-02T00:00:00Z');
    expect(ago('2026-01-01T23:59:30Z', now)).toBe('30 s');
    expect(ago('2026-01-01T23:00:00Z', now)).toBe('60 min');
    expect(ago('2026-01-01T00:00:00Z', now)).toBe('24 h');
    expect(ago('2025-12-28T00:00:00Z', now)).toBe('5 days');
    expect(ago('not a time', now)).toBe('an unknown time');
  });
});
