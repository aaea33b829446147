import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Aws } from '../../../src/aws/clients.js';
import { InterruptedError, WorkError } from '../../../src/errors.js';
import { type SyncSettings, syncFrontend } from '../../../src/sync/sync.js';

/** What happens when an upload fails or the user presses Ctrl-C: HTML never goes up without its assets. */
describe('a sync that cannot finish', () => {
  let s3Mock: ReturnType<typeof mockClient>;
  let cfMock: ReturnType<typeof mockClient>;
  let dir: string;

  beforeEach(async () => {
    s3Mock = mockClient(S3Client);
    cfMock = mockClient(CloudFrontClient);
    dir = await mkdtemp(join(tmpdir(), 'tekamolo-fail-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<script src="/assets/a.js"></script>');
    await writeFile(join(dir, 'assets', 'a.js'), 'a()');
    await writeFile(join(dir, 'assets', 'b.js'), 'b()');
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false } as never);
    s3Mock.on(GetObjectCommand).rejects(Object.assign(new Error('no manifest'), { name: 'NoSuchKey' }));
    cfMock
      .on(CreateInvalidationCommand)
      .resolves({ Invalidation: { Id: 'I', Status: 'InProgress' } } as never);
  });

  afterEach(async () => {
    s3Mock.restore();
    cfMock.restore();
    await rm(dir, { recursive: true, force: true });
  });

  const settings: Omit<SyncSettings, 'dir'> = {
    invalidationThreshold: 15,
    deleteStale: true,
    dryRun: false,
    invalidate: true,
    waitForInvalidation: false,
    concurrency: 1,
    waitIntervalMs: 1,
    waitTimeoutMs: 100,
  };

  function run(signal?: AbortSignal) {
    return syncFrontend({
      aws: new Aws({ region: 'eu-central-1', maxAttempts: 1 }),
      target: { bucket: 'site', region: 'eu-central-1', distributionId: 'E1' },
      settings: { ...settings, dir },
      emit: () => undefined,
      ...(signal ? { signal } : {}),
    });
  }

  const putKeys = () => s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key);

  it('stops after a failed asset upload: no further upload, no HTML, no manifest, no invalidation', async () => {
    s3Mock.on(PutObjectCommand).resolves({ ETag: '"x"' } as never);
    s3Mock
      .on(PutObjectCommand, { Key: 'assets/a.js' })
      .rejects(Object.assign(new Error('We encountered an internal error'), { name: 'InternalError' }));
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkError);
    expect((error as WorkError).message).toMatch(
      /uploading to site: We encountered an internal error \(InternalError\)/,
    );
    expect(putKeys()).toEqual(['assets/a.js']);
    expect(cfMock.commandCalls(CreateInvalidationCommand)).toHaveLength(0);
  });

  it('stops at Ctrl-C with exit 130 and starts no further upload', async () => {
    const controller = new AbortController();
    s3Mock.on(PutObjectCommand).callsFake(() => {
      controller.abort();
      return { ETag: '"x"' };
    });
    const error = await run(controller.signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).exitCode).toBe(130);
    expect(putKeys()).toHaveLength(1);
    expect(putKeys()).not.toContain('index.html');
  });
});
