import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  CloudFrontClient,
  GetInvalidationCommand,
  ListInvalidationsCommand,
} from '@aws-sdk/client-cloudfront';
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Aws } from '../../src/aws/clients.js';
import { Tracer } from '../../src/aws/trace.js';
import { UserError } from '../../src/errors.js';
import type { SyncEvent } from '../../src/sync/events.js';
import { MANIFEST_KEY } from '../../src/sync/manifest.js';
import { multipartEtag } from '../../src/sync/multipart-etag.js';
import { type SyncSettings, syncFrontend } from '../../src/sync/sync.js';
import { motoAvailable, useMoto } from '../support/moto.js';
import { createSite } from '../support/site.js';

const REGION = 'eu-central-1';
const BUCKET = 'sync-test-site';

/** A built site: HTML pages, hashed and unhashed assets, and one 12 MB file (multipart). */
async function buildSite(dir: string, pages: number, assets: number): Promise<string[]> {
  const keys: string[] = [];
  const put = async (key: string, content: string | Buffer) => {
    await mkdir(dirname(join(dir, key)), { recursive: true });
    await writeFile(join(dir, key), content);
    keys.push(key);
  };
  await put('index.html', '<!doctype html><title>home</title>');
  for (let i = 0; i < pages; i++) await put(`page${i}/index.html`, `<!doctype html><title>page ${i}</title>`);
  for (let i = 0; i < assets; i++) {
    const content = `export const n${i} = ${i};`;
    const hash = createHash('sha256').update(content).digest('hex').slice(0, 8);
    await put(`assets/chunk${i}-${hash}.js`, content);
  }
  await put('robots.txt', 'User-agent: *\n');
  await put('favicon.ico', randomBytes(300));
  await put('media/intro.mp4', randomBytes(12 * 1024 * 1024));
  return keys;
}

describe.skipIf(!motoAvailable())('sync-frontend against the emulator', () => {
  useMoto();
  let dir: string;
  let base: string;
  let distributionId: string;
  let s3: S3Client;
  let cloudfront: CloudFrontClient;

  beforeEach(async () => {
    s3 = new S3Client({ region: REGION });
    cloudfront = new CloudFrontClient({ region: 'us-east-1' });
    distributionId = await createSite({ stack: 'demo', bucket: BUCKET, region: REGION });
    base = await mkdtemp(join(tmpdir(), 'tekamolo-sync-it-'));
    dir = join(base, 'dist');
  });

  afterEach(async () => {
    s3.destroy();
    cloudfront.destroy();
    await rm(base, { recursive: true, force: true });
  });

  function settings(overrides: Partial<SyncSettings> = {}): SyncSettings {
    return {
      dir,
      invalidationThreshold: 15,
      deleteStale: false,
      dryRun: false,
      invalidate: true,
      waitForInvalidation: false,
      concurrency: 16,
      waitIntervalMs: 10,
      waitTimeoutMs: 10_000,
      ...overrides,
    };
  }

  /** One sync with a fresh client set, so that the trace holds exactly this run's calls. */
  async function sync(overrides: Partial<SyncSettings> = {}) {
    const tracer = new Tracer();
    const aws = new Aws({ region: REGION, tracer, maxAttempts: 2 });
    const events: SyncEvent[] = [];
    try {
      const summary = await syncFrontend({
        aws,
        target: { bucket: BUCKET, region: REGION, distributionId },
        settings: settings(overrides),
        emit: (e) => events.push(e),
      });
      const calls = (operation: string) => tracer.records.filter((r) => r.operation === operation).length;
      return { summary, events, calls, records: tracer.records };
    } finally {
      aws.destroy();
    }
  }

  async function listKeys(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }));
      for (const o of page.Contents ?? []) out.set(o.Key!, (o.ETag ?? '').replaceAll('"', ''));
      token = page.NextContinuationToken;
    } while (token);
    out.delete(MANIFEST_KEY);
    return out;
  }

  async function invalidationPaths(): Promise<string[][]> {
    const list = await cloudfront.send(new ListInvalidationsCommand({ DistributionId: distributionId }));
    const result: string[][] = [];
    for (const item of list.InvalidationList?.Items ?? []) {
      const one = await cloudfront.send(
        new GetInvalidationCommand({ DistributionId: distributionId, Id: item.Id }),
      );
      result.push([...(one.Invalidation?.InvalidationBatch?.Paths?.Items ?? [])].sort());
    }
    return result;
  }

  it('uploads a 400-file site with a 12 MB file: right bytes, types and cache headers; a re-sync uploads nothing', async () => {
    const keys = await buildSite(dir, 99, 297);
    expect(keys).toHaveLength(400);

    const first = await sync();
    expect(first.summary).toMatchObject({ uploaded: 400, uploadedNew: 400, unchanged: 0, kept: 0 });
    expect(first.calls('CreateMultipartUpload')).toBe(1);
    expect(first.calls('UploadPart')).toBe(2);
    // 399 single PUTs and the manifest's, each one call through the SDK.
    const puts = first.records.filter((r) => r.operation === 'PutObject');
    expect(puts).toHaveLength(399 + 1);
    expect(puts.every((r) => r.ok && r.attempts === 1)).toBe(true);

    const listed = await listKeys();
    expect([...listed.keys()].sort()).toEqual([...keys].sort());
    for (const key of [
      'index.html',
      'page7/index.html',
      'robots.txt',
      'favicon.ico',
      'assets/chunk3-',
      'media/intro.mp4',
    ]) {
      const full = keys.find((k) => k.startsWith(key))!;
      const bytes = await readFile(join(dir, full));
      const expected =
        bytes.length > 8 * 1024 * 1024 ? multipartEtag(bytes) : createHash('md5').update(bytes).digest('hex');
      expect(listed.get(full), full).toBe(expected);
    }
    const head = async (key: string) => s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await head('index.html')).toMatchObject({
      ContentType: 'text/html; charset=utf-8',
      CacheControl: 'no-cache',
    });
    const asset = keys.find((k) => k.startsWith('assets/chunk3-'))!;
    expect(await head(asset)).toMatchObject({
      ContentType: 'text/javascript; charset=utf-8',
      CacheControl: 'public, max-age=31536000, immutable',
    });
    expect(await head('robots.txt')).toMatchObject({
      ContentType: 'text/plain; charset=utf-8',
      CacheControl: 'public, max-age=300',
    });
    expect(await head('media/intro.mp4')).toMatchObject({
      ContentType: 'video/mp4',
      CacheControl: 'public, max-age=300',
    });
    // Nothing was replaced: new paths are not invalidated.
    expect(await invalidationPaths()).toEqual([]);

    const second = await sync();
    expect(second.summary).toMatchObject({
      uploaded: 0,
      unchanged: 400,
      metadataUpdated: 0,
      invalidatedPaths: 0,
    });
    expect(second.calls('ListObjectsV2')).toBe(1);
    expect(second.calls('HeadObject')).toBe(0);
    expect(second.records.filter((r) => !/^(Get|List)/.test(r.operation))).toEqual([]);
  });

  it('lists a bucket of more than a page in parts and misses no key', async () => {
    const keys: string[] = [];
    for (let i = 0; i < 1200; i++) {
      const key = `docs/${String(i).padStart(4, '0')}.txt`;
      await mkdir(dirname(join(dir, key)), { recursive: true });
      await writeFile(join(dir, key), `page ${i}`);
      keys.push(key);
    }
    await sync();
    const again = await sync();
    expect(again.summary).toMatchObject({ uploaded: 0, unchanged: 1200, metadataUpdated: 0 });
    expect(again.calls('ListObjectsV2')).toBe(2);
    await rm(join(dir, 'docs/1150.txt'));
    const removed = await sync({ deleteStale: true });
    expect(removed.summary).toMatchObject({ uploaded: 0, deleted: 1, unchanged: 1199 });
    expect((await listKeys()).size).toBe(1199);
  });

  it('keys with spaces, +, %, quotes and non-ASCII: listed back exactly, invalidated as CloudFront documents', async () => {
    const keys = ['a b.html', 'c+d.html', '50%.html', "it's (1)!.html", 'ü/日本.html'];
    for (const key of keys) {
      await mkdir(dirname(join(dir, key)), { recursive: true });
      await writeFile(join(dir, key), `<p>${key}</p>`);
    }
    await sync();
    const again = await sync();
    expect(again.summary).toMatchObject({ uploaded: 0, unchanged: keys.length, metadataUpdated: 0 });
    for (const key of keys) await writeFile(join(dir, key), `<p>${key}, edited</p>`);
    const edited = await sync();
    expect(edited.summary).toMatchObject({ uploaded: keys.length, uploadedNew: 0 });
    expect(await invalidationPaths()).toEqual([
      [
        '/50%25.html',
        '/a%20b.html',
        '/c+d.html',
        "/it's%20(1)!.html",
        '/%C3%BC/%E6%97%A5%E6%9C%AC.html',
      ].sort(),
    ]);
  });

  it('after touching every file uploads nothing; after 3 edits uploads exactly 3 and invalidates exactly their paths', async () => {
    const keys = await buildSite(dir, 20, 30);
    await sync();
    const later = new Date(Date.now() + 60_000);
    for (const key of keys) await utimes(join(dir, key), later, later);
    const touched = await sync();
    expect(touched.summary).toMatchObject({ uploaded: 0, unchanged: keys.length });
    expect(touched.calls('PutObject')).toBe(0);

    const asset = keys.find((k) => k.startsWith('assets/chunk4-'))!;
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>HOME</title>'); // same size, other bytes
    await writeFile(join(dir, 'page3/index.html'), '<!doctype html><title>page 3, edited</title>');
    await writeFile(join(dir, asset), 'export const edited = true;');
    const edited = await sync();
    expect(edited.summary).toMatchObject({
      uploaded: 3,
      uploadedNew: 0,
      unchanged: keys.length - 3,
      invalidatedPaths: 4,
    });
    expect(edited.calls('PutObject')).toBe(3 + 1); // + the manifest
    // The bucket held index.html at its size, so its bytes were not kept while hashing: the edited ones
    // went up all the same.
    expect((await listKeys()).get('index.html')).toBe(
      createHash('md5').update('<!doctype html><title>HOME</title>').digest('hex'),
    );
    expect(edited.calls('CreateInvalidation')).toBe(1);
    expect(await invalidationPaths()).toEqual([['/', '/index.html', '/page3/', '/page3/index.html']]);
    // HTML goes up after the assets it may reference
    const puts = edited.records.filter((r) => r.operation === 'PutObject');
    expect(puts).toHaveLength(4);
    const planned = edited.events.find((e) => e.code === 'sync-planned');
    const order = planned?.code === 'sync-planned' ? planned.uploads.map((u) => u.key) : [];
    expect(order[0]).toBe(asset);
    expect(order.slice(1).sort()).toEqual(['index.html', 'page3/index.html']);
  });

  it('keeps a removed file without --delete and removes it with it; an empty folder never empties the bucket', async () => {
    await buildSite(dir, 3, 3);
    await sync();
    await rm(join(dir, 'page1'), { recursive: true });
    const kept = await sync({ deleteStale: false });
    expect(kept.summary).toMatchObject({ uploaded: 0, kept: 1, deleted: 0 });
    expect((await listKeys()).has('page1/index.html')).toBe(true);

    const removed = await sync({ deleteStale: true });
    expect(removed.summary).toMatchObject({ uploaded: 0, kept: 0, deleted: 1 });
    expect((await listKeys()).has('page1/index.html')).toBe(false);
    expect(await invalidationPaths()).toEqual([['/page1/', '/page1/index.html']]);

    const before = await listKeys();
    await rm(dir, { recursive: true });
    await mkdir(dir);
    const error = await sync({ deleteStale: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect(await listKeys()).toEqual(before);
  });

  it('gives new cache rules to unchanged objects by copy, without uploading their bytes', async () => {
    await buildSite(dir, 2, 2);
    await sync();
    const rules = [
      { match: '*.txt', value: 'public, max-age=60' },
      { match: 'media/**', value: 'public, max-age=600' },
    ];
    const changed = await sync({ cacheRules: rules });
    expect(changed.summary).toMatchObject({ uploaded: 0, metadataUpdated: 2 });
    expect(changed.calls('CopyObject')).toBe(2);
    expect(changed.calls('UploadPart')).toBe(0);
    expect(changed.calls('PutObject')).toBe(1); // the manifest
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'robots.txt' }));
    expect(head).toMatchObject({
      CacheControl: 'public, max-age=60',
      ContentType: 'text/plain; charset=utf-8',
    });
    const video = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'media/intro.mp4' }));
    expect(video.CacheControl).toBe('public, max-age=600');
    // The copied 12 MB object may now carry a single-part ETag: still the same bytes, nothing to do.
    const again = await sync({ cacheRules: rules });
    expect(again.summary).toMatchObject({ uploaded: 0, metadataUpdated: 0, unchanged: 8 });
    expect(await invalidationPaths()).toEqual([['/media/intro.mp4', '/robots.txt']]);
  });

  it('re-uploads an object another tool changed, with the planned headers, without a HEAD', async () => {
    await buildSite(dir, 1, 1);
    await sync();
    const text = await readFile(join(dir, 'robots.txt'));
    // Uploaded by hand with other bytes and no headers: the listing shows another ETag.
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'robots.txt',
        Body: Buffer.concat([text, Buffer.from('\n')]),
      }),
    );
    const repaired = await sync();
    expect(repaired.summary).toMatchObject({ uploaded: 1 });
    expect(repaired.calls('HeadObject')).toBe(0);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'robots.txt' }));
    expect(head.CacheControl).toBe('public, max-age=300');
  });

  it('--dry-run shows the plan and changes nothing; --wait waits for the invalidation', async () => {
    await buildSite(dir, 2, 2);
    const dry = await sync({ dryRun: true });
    expect(dry.summary).toMatchObject({ dryRun: true, uploaded: 8 });
    expect(dry.records.filter((r) => !/^(Get|List)/.test(r.operation))).toEqual([]);
    expect((await listKeys()).size).toBe(0);
    const planned = dry.events.find((e) => e.code === 'sync-planned');
    expect(planned?.code === 'sync-planned' && planned.uploads).toHaveLength(8);

    await sync();
    await writeFile(join(dir, 'index.html'), 'changed');
    const waited = await sync({ waitForInvalidation: true });
    expect(waited.summary.invalidationStatus).toBe('Completed');
    expect(waited.calls('GetInvalidation')).toBeGreaterThanOrEqual(1);
  });
});
