import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import {
  CopyObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Aws } from '../../../src/aws/clients.js';
import type { SyncEvent } from '../../../src/sync/events.js';
import { MANIFEST_KEY } from '../../../src/sync/manifest.js';
import { type SyncSettings, syncFrontend } from '../../../src/sync/sync.js';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** The one part of the SDK's stream body that reading the manifest uses. */
function body(text: string) {
  return { transformToString: async () => text };
}

describe('a change of cache rules only', () => {
  let s3Mock: ReturnType<typeof mockClient>;
  let cfMock: ReturnType<typeof mockClient>;
  let dir: string;
  const files = {
    'index.html': '<!doctype html><p>hi',
    'robots.txt': 'User-agent: *',
    'assets/app-1a2b3c4d.js': 'x()',
  };

  beforeEach(async () => {
    s3Mock = mockClient(S3Client);
    cfMock = mockClient(CloudFrontClient);
    dir = await mkdtemp(join(tmpdir(), 'tekamolo-meta-'));
    await writeFile(join(dir, 'index.html'), files['index.html']);
    await writeFile(join(dir, 'robots.txt'), files['robots.txt']);
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'assets')));
    await writeFile(join(dir, 'assets/app-1a2b3c4d.js'), files['assets/app-1a2b3c4d.js']);
    s3Mock.on(ListObjectsV2Command).resolves({
      Contents: Object.entries(files).map(([Key, text]) => ({
        Key,
        ETag: `"${md5(text)}"`,
        Size: text.length,
      })),
      IsTruncated: false,
    } as never);
    // What the last sync recorded: the default rules.
    const manifest = {
      version: 1,
      objects: {
        'index.html': {
          etag: md5(files['index.html']),
          contentType: 'text/html; charset=utf-8',
          cacheControl: 'no-cache',
        },
        'robots.txt': {
          etag: md5(files['robots.txt']),
          contentType: 'text/plain; charset=utf-8',
          cacheControl: 'public, max-age=300',
        },
        'assets/app-1a2b3c4d.js': {
          etag: md5(files['assets/app-1a2b3c4d.js']),
          contentType: 'text/javascript; charset=utf-8',
          cacheControl: 'public, max-age=31536000, immutable',
        },
      },
    };
    s3Mock
      .on(GetObjectCommand, { Key: MANIFEST_KEY })
      .resolves({ Body: body(JSON.stringify(manifest)) } as never);
    s3Mock.on(CopyObjectCommand).callsFake((input: { Key: string }) => ({
      CopyObjectResult: { ETag: `"${md5(files[input.Key as keyof typeof files])}"` },
    }));
    s3Mock.on(PutObjectCommand).resolves({ ETag: '"m"' } as never);
    cfMock
      .on(CreateInvalidationCommand)
      .resolves({ Invalidation: { Id: 'I9', Status: 'InProgress' } } as never);
  });

  afterEach(async () => {
    s3Mock.restore();
    cfMock.restore();
    await rm(dir, { recursive: true, force: true });
  });

  function settings(cacheRules: SyncSettings['cacheRules']): SyncSettings {
    return {
      dir,
      cacheRules,
      invalidationThreshold: 15,
      deleteStale: false,
      dryRun: false,
      invalidate: true,
      waitForInvalidation: false,
      concurrency: 4,
      waitIntervalMs: 1,
      waitTimeoutMs: 1000,
    };
  }

  it('copies the affected objects onto themselves with REPLACE and uploads no content', async () => {
    const events: SyncEvent[] = [];
    const aws = new Aws({ region: 'eu-central-1', maxAttempts: 1 });
    const summary = await syncFrontend({
      aws,
      target: { bucket: 'site', region: 'eu-central-1', distributionId: 'E1' },
      settings: settings([{ match: '*.txt', value: 'public, max-age=60' }]),
      emit: (e) => events.push(e),
    });
    const copies = s3Mock.commandCalls(CopyObjectCommand).map((c) => c.args[0].input);
    expect(copies).toEqual([
      {
        Bucket: 'site',
        Key: 'robots.txt',
        CopySource: 'site/robots.txt',
        MetadataDirective: 'REPLACE',
        ContentType: 'text/plain; charset=utf-8',
        CacheControl: 'public, max-age=60',
      },
    ]);
    const puts = s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key);
    expect(puts).toEqual([MANIFEST_KEY]);
    const saved = JSON.parse(String(s3Mock.commandCalls(PutObjectCommand)[0]!.args[0].input.Body));
    expect(saved.objects['robots.txt'].cacheControl).toBe('public, max-age=60');
    expect(summary).toMatchObject({ uploaded: 0, metadataUpdated: 1, unchanged: 2, invalidatedPaths: 1 });
    expect(
      cfMock.commandCalls(CreateInvalidationCommand)[0]!.args[0].input.InvalidationBatch?.Paths?.Items,
    ).toEqual(['/robots.txt']);
    const planned = events.find((e) => e.code === 'sync-planned');
    expect(planned?.code === 'sync-planned' && planned.metadataUpdates[0]?.reason).toBe(
      'Cache-Control public, max-age=300 → public, max-age=60',
    );
  });

  it('does nothing at all when the rules did not change: no copy, no PUT, no invalidation', async () => {
    const aws = new Aws({ region: 'eu-central-1', maxAttempts: 1 });
    const summary = await syncFrontend({
      aws,
      target: { bucket: 'site', region: 'eu-central-1', distributionId: 'E1' },
      settings: settings(undefined),
      emit: () => undefined,
    });
    expect(summary).toMatchObject({ uploaded: 0, metadataUpdated: 0, unchanged: 3 });
    expect(s3Mock.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(cfMock.commandCalls(CreateInvalidationCommand)).toHaveLength(0);
  });
});
