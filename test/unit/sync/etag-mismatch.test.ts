import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Aws } from '../../../src/aws/clients.js';
import type { SyncEvent } from '../../../src/sync/events.js';
import { MANIFEST_KEY } from '../../../src/sync/manifest.js';
import { syncFrontend } from '../../../src/sync/sync.js';

describe('an ETag other than the MD5 of the bytes hashed', () => {
  let s3Mock: ReturnType<typeof mockClient>;
  let dir: string;

  beforeEach(async () => {
    s3Mock = mockClient(S3Client);
    dir = await mkdtemp(join(tmpdir(), 'tekamolo-etag-'));
    await writeFile(join(dir, 'encrypted.txt'), 'same bytes');
    await writeFile(join(dir, 'edited.txt'), 'first draft');
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false } as never);
    s3Mock
      .on(GetObjectCommand, { Key: MANIFEST_KEY })
      .rejects(Object.assign(new Error('no manifest'), { name: 'NoSuchKey' }));
    s3Mock.on(PutObjectCommand).callsFake(async (input: { Key: string }) => {
      // The build writes the file again while it goes up; S3 reports the ETag of what it stored.
      if (input.Key === 'edited.txt') await writeFile(join(dir, 'edited.txt'), 'second, longer draft');
      return { ETag: `"not-an-md5-${input.Key}"` };
    });
  });

  afterEach(async () => {
    s3Mock.restore();
    await rm(dir, { recursive: true, force: true });
  });

  it('is put down to a file changed during the sync when its stat changed, else to the encryption', async () => {
    const events: SyncEvent[] = [];
    await syncFrontend({
      aws: new Aws({ region: 'eu-central-1', maxAttempts: 1 }),
      target: { bucket: 'site', region: 'eu-central-1' },
      settings: {
        dir,
        invalidationThreshold: 15,
        deleteStale: false,
        dryRun: false,
        invalidate: false,
        waitForInvalidation: false,
        concurrency: 1,
        waitIntervalMs: 1,
        waitTimeoutMs: 1000,
      },
      emit: (e) => events.push(e),
    });
    const warnings = events.flatMap((e) => (e.code === 'warning' ? [e.message] : []));
    expect(warnings).toEqual([
      expect.stringMatching(/^1 file\(s\) changed while the sync ran \(e\.g\. edited\.txt\): .*sync again/),
      expect.stringMatching(/other ETags .* for 1 object\(s\) \(e\.g\. encrypted\.txt\): .*SSE-KMS/),
    ]);
  });
});
