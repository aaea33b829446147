import { ListObjectsV2Command, type ListObjectsV2CommandInput, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { compareKeys, PAGE_KEYS, startListing } from '../../../src/sync/listing.js';

/** ListObjectsV2 as S3 answers it: UTF-8 byte order, MaxKeys, StartAfter, opaque continuation tokens. */
function fakeBucket(keys: string[]) {
  const sorted = [...keys].sort(compareKeys);
  return (input: ListObjectsV2CommandInput) => {
    let start = 0;
    if (input.ContinuationToken) start = Number(input.ContinuationToken.slice('t'.length));
    else if (input.StartAfter !== undefined) {
      start = sorted.findIndex((k) => compareKeys(k, input.StartAfter!) > 0);
      if (start < 0) start = sorted.length;
    }
    const max = Math.min(input.MaxKeys ?? PAGE_KEYS, PAGE_KEYS);
    const page = sorted.slice(start, start + max);
    const truncated = start + max < sorted.length;
    return {
      Contents: page.map((Key) => ({
        // With EncodingType=url S3 encodes keys as HTML forms do: a space as +.
        Key: input.EncodingType === 'url' ? encodeURIComponent(Key).replace(/%20/g, '+') : Key,
        ETag: `"${Key.length}"`,
        Size: Key.length,
      })),
      IsTruncated: truncated,
      ...(truncated ? { NextContinuationToken: `t${start + max}` } : {}),
    };
  };
}

const names = (n: number, prefix = 'f') =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);

describe('startListing', () => {
  let s3Mock: ReturnType<typeof mockClient>;
  let s3: S3Client;
  beforeEach(() => {
    s3Mock = mockClient(S3Client);
    s3 = new S3Client({ region: 'eu-central-1' });
  });
  afterEach(() => {
    s3Mock.restore();
  });

  const calls = () => s3Mock.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);

  it('asks for URL-encoded keys and decodes them: spaces, +, control characters, non-ASCII', async () => {
    const keys = ['a b.html', 'c+d.html', 'e%20f.html', 'line\u0001feed.txt', 'ü/日本.html'];
    s3Mock.on(ListObjectsV2Command).callsFake(fakeBucket(keys));
    const listed = await startListing(s3, 'b').complete(keys);
    expect([...listed.keys()].sort(compareKeys)).toEqual([...keys].sort(compareKeys));
    expect(calls().map((c) => c.EncodingType)).toEqual(['url']);
  });

  it('lists a bucket of less than a page with one call', async () => {
    s3Mock.on(ListObjectsV2Command).callsFake(fakeBucket(names(400)));
    const listed = await startListing(s3, 'b').complete(names(400));
    expect(listed.size).toBe(400);
    expect(calls()).toHaveLength(1);
  });

  it('lists the rest of a large bucket in parts cut at the folder keys, without gaps or overlaps', async () => {
    const keys = names(2500);
    s3Mock.on(ListObjectsV2Command).callsFake(fakeBucket(keys));
    const listed = await startListing(s3, 'b').complete(keys);
    expect([...listed.keys()].sort(compareKeys)).toEqual(keys);
    expect(listed.get('f00042')).toEqual({ etag: '6', size: 6 });
    // one first page, then two parts of 750 folder keys: as many calls as pages in a row would take
    expect(calls()).toHaveLength(3);
    expect(calls().filter((c) => c.StartAfter !== undefined)).toHaveLength(1);
  });

  it('says what the pages received so far know of a key: its object, absent, or not known yet', async () => {
    const keys = names(2500);
    s3Mock.on(ListObjectsV2Command).callsFake(fakeBucket(keys));
    const listing = startListing(s3, 'b');
    expect(listing.peek('f00042')).toBe('unknown');
    // The first page (f00000 to f00999) is in: what it covers is known, the rest is not.
    await vi.waitFor(() => expect(listing.peek('f00042')).toEqual({ etag: '6', size: 6 }));
    expect(listing.peek('f00042x')).toBe('absent');
    expect(listing.peek('f01500')).toBe('unknown');
    await listing.complete(keys);
    expect(listing.peek('f01500')).toEqual({ etag: '6', size: 6 });
    expect(listing.peek('f01500x')).toBe('absent');
    expect(listing.peek('zzz')).toBe('absent');
  });

  it('knows every key absent once the only page of a small bucket is in', async () => {
    s3Mock.on(ListObjectsV2Command).callsFake(fakeBucket([]));
    const listing = startListing(s3, 'b');
    await vi.waitFor(() => expect(listing.peek('index.html')).toBe('absent'));
  });

  it('lists a bucket of 2,000 keys that matches the folder in two calls', async () => {
    const keys = names(2000);
    s3Mock.on(ListObjectsV2Command).callsFake(fakeBucket(keys));
    const listed = await startListing(s3, 'b').complete(keys);
    expect(listed.size).toBe(2000);
    expect(calls()).toHaveLength(2);
  });

  it('finds keys that are only in the bucket, wherever they fall, and is not misled by keys only in the folder', async () => {
    const local = names(3000).filter((_, i) => i % 7 !== 0);
    const remote = [
      ...names(3000).filter((_, i) => i % 5 !== 0),
      ...names(700, 'g'),
      '.tekamolo/sync-manifest.json',
    ];
    s3Mock.on(ListObjectsV2Command).callsFake(fakeBucket(remote));
    const listed = await startListing(s3, 'b').complete(local);
    expect([...listed.keys()].sort(compareKeys)).toEqual([...remote].sort(compareKeys));
  });

  it('follows S3 byte order for keys beyond the Basic Multilingual Plane', async () => {
    const odd = ['a\u{1F600}', 'a\uFFFD', 'a\uE000', 'b'];
    const keys = [...names(1800), ...odd.flatMap((k) => names(150, k))];
    s3Mock.on(ListObjectsV2Command).callsFake(fakeBucket(keys));
    const listed = await startListing(s3, 'b').complete(keys);
    expect(listed.size).toBe(keys.length);
    expect(compareKeys('a\uFFFD', 'a\u{1F600}')).toBeLessThan(0);
    expect('a\uFFFD' < 'a\u{1F600}').toBe(false);
  });

  it('says the stack is not up when the bucket does not exist', async () => {
    s3Mock.on(ListObjectsV2Command).rejects(Object.assign(new Error('gone'), { name: 'NoSuchBucket' }));
    await expect(startListing(s3, 'b').complete([])).rejects.toBeInstanceOf(UserError);
  });
});
