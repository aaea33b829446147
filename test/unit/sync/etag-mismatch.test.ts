import { createHash, randomBytes } from 'node:crypto';
import { utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Aws } from '../../../src/aws/clients.js';
import { WorkError } from '../../../src/errors.js';
import type { SyncEvent } from '../../../src/sync/events.js';
import { MANIFEST_KEY } from '../../../src/sync/manifest.js';
import { PART_SIZE } from '../../../src/sync/multipart-etag.js';
import { syncFrontend } from '../../../src/sync/sync.js';
import { syncSettings } from '../../support/sync-settings.js';

const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

describe('bytes that are not the ones hashed for the plan', () => {
  let s3Mock: ReturnType<typeof mockClient>;
  let dir: string;
  const bucketHolds = (objects: { key: string; size: number }[]) =>
    s3Mock.on(ListObjectsV2Command).resolves({
      Contents: objects.map((o) => ({ Key: o.key, Size: o.size, ETag: '"older"' })),
      IsTruncated: false,
    } as never);

  beforeEach(async () => {
    s3Mock = mockClient(S3Client);
    dir = await mkdtemp(join(tmpdir(), 'tekamolo-etag-'));
    s3Mock
      .on(GetObjectCommand, { Key: MANIFEST_KEY })
      .rejects(Object.assign(new Error('no manifest'), { name: 'NoSuchKey' }));
  });

  afterEach(async () => {
    s3Mock.restore();
    await rm(dir, { recursive: true, force: true });
  });

  it('tells a multipart file rewritten during the sync from ETags that are not MD5s (SSE-KMS)', async () => {
    await writeFile(join(dir, 'encrypted.txt'), 'same bytes');
    await writeFile(join(dir, 'touched.txt'), 'touched, not changed');
    const video = randomBytes(PART_SIZE + 10);
    await writeFile(join(dir, 'video.bin'), video);
    // The bucket holds an older video.bin of the same size: its bytes are not kept while hashing.
    bucketHolds([{ key: 'video.bin', size: video.length }]);
    s3Mock.on(PutObjectCommand).callsFake((input: { Key: string }) => ({ ETag: `"kms-${input.Key}"` }));
    s3Mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' } as never);
    s3Mock
      .on(UploadPartCommand)
      .callsFake((input: { PartNumber: number }) => ({ ETag: `"p${input.PartNumber}"` }));
    s3Mock.on(CompleteMultipartUploadCommand).resolves({ ETag: '"whatever-went-up-2"' } as never);

    const events: SyncEvent[] = [];
    await syncFrontend({
      aws: new Aws({ region: 'eu-central-1', maxAttempts: 1 }),
      target: { bucket: 'site', region: 'eu-central-1' },
      settings: syncSettings(dir),
      emit: (event) => {
        events.push(event);
        if (event.code !== 'sync-planned') return;
        // Between the plan and the uploads the build writes video.bin again and touches touched.txt.
        writeFileSync(join(dir, 'video.bin'), randomBytes(PART_SIZE + 11));
        utimesSync(join(dir, 'touched.txt'), new Date(), new Date(Date.now() + 5000));
      },
    });

    const warnings = events.flatMap((e) => (e.code === 'warning' ? [e.message] : []));
    expect(warnings).toEqual([
      expect.stringMatching(/^1 file\(s\) changed while the sync ran \(e\.g\. video\.bin\): .*sync again/),
      // A single PUT carries Content-MD5, so S3 stored the bytes hashed: touched or not, the ETag is no MD5.
      expect.stringMatching(
        /other ETags .* for 2 object\(s\) \(e\.g\. (encrypted|touched)\.txt\): .*SSE-KMS/,
      ),
    ]);
    const puts = s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.find((p) => p.Key === 'touched.txt')?.ContentMD5).toBe(
      Buffer.from(md5('touched, not changed'), 'hex').toString('base64'),
    );
  });

  it('says a file changed during the sync when S3 refuses the bytes read again to go up', async () => {
    await writeFile(join(dir, 'index.html'), '<p>version 1</p>');
    bucketHolds([{ key: 'index.html', size: '<p>version 1</p>'.length }]);
    s3Mock
      .on(PutObjectCommand)
      .rejects(
        Object.assign(new Error('The Content-MD5 you specified did not match'), { name: 'BadDigest' }),
      );

    const error = await syncFrontend({
      aws: new Aws({ region: 'eu-central-1', maxAttempts: 1 }),
      target: { bucket: 'site', region: 'eu-central-1' },
      settings: syncSettings(dir),
      emit: (event) => {
        if (event.code === 'sync-planned') writeFileSync(join(dir, 'index.html'), '<p>version 2</p>');
      },
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WorkError);
    expect((error as WorkError).message).toBe(
      'index.html changed while the sync ran: S3 refused bytes other than those hashed for the plan',
    );
    expect((error as WorkError).hint).toMatch(/^sync again once the build is done/);
  });
});
