import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { multipartEtag, PART_SIZE } from '../../../src/sync/multipart-etag.js';
import { type TransferOptions, uploadFile } from '../../../src/sync/transfer.js';

describe('multipart uploads', () => {
  let s3Mock: ReturnType<typeof mockClient>;
  let s3: S3Client;
  beforeEach(() => {
    s3Mock = mockClient(S3Client);
    s3 = new S3Client({ region: 'eu-central-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  });
  afterEach(() => {
    s3.destroy();
    s3Mock.restore();
  });

  /** Uploads `body` as the file at `path` through a bucket that answers with its multipart ETag; returns the parts sent. */
  async function upload(body: Buffer, path: string, options: TransferOptions): Promise<Uint8Array[]> {
    const etag = multipartEtag(body);
    s3Mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u-1' } as never);
    s3Mock.on(UploadPartCommand).callsFake(async () => ({ ETag: '"part"' }));
    s3Mock.on(CompleteMultipartUploadCommand).resolves({ ETag: `"${etag}"` } as never);
    const reported = await uploadFile(
      s3,
      'site',
      {
        key: 'media/clip.mp4',
        path,
        size: body.length,
        fingerprint: { multipartEtag: etag },
        metadata: { contentType: 'video/mp4', cacheControl: 'no-cache' },
      },
      options,
    );
    expect(reported).toBe(etag);
    const parts = s3Mock
      .commandCalls(UploadPartCommand)
      .map((call) => call.args[0].input as { PartNumber: number; Body: Uint8Array })
      .sort((a, b) => a.PartNumber - b.PartNumber)
      .map((part) => part.Body);
    expect(Buffer.concat(parts).equals(body)).toBe(true);
    return parts;
  }

  it('send the bytes kept from hashing in PART_SIZE parts, without reading the file again', async () => {
    const body = randomBytes(PART_SIZE + 10);
    // Gone since it was hashed: only the kept bytes can go up.
    const parts = await upload(body, '/nonexistent/clip.mp4', { body });
    expect(parts.map((part) => part.length)).toEqual([PART_SIZE, 10]);
  });

  it('read a file of a few parts whole when its bytes were not kept, and send slices of it', async () => {
    const body = randomBytes(2 * PART_SIZE + 10);
    const dir = await mkdtemp(join(tmpdir(), 'tekamolo-parts-'));
    const path = join(dir, 'clip.mp4');
    await writeFile(path, body);
    try {
      const parts = await upload(body, path, {});
      expect(parts.map((part) => part.length)).toEqual([PART_SIZE, PART_SIZE, 10]);
      // Slices of the one buffer read: a streamed file's parts are copies, each in a buffer of its own.
      expect(new Set(parts.map((part) => part.buffer)).size).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
