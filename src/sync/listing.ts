import { ListObjectsV2Command, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3';
import pMap from 'p-map';
import { hasErrorName } from '../aws/errors.js';
import { notUpYet, type RemoteObject, unquoteEtag } from './remote.js';

/**
 * The bucket's listing, in parallel where the folder says where to cut it.
 *
 * ListObjectsV2 returns at most 1,000 keys per call and each page needs the token of the one before:
 * listed one after the other, a 10,000-key bucket costs ten round trips in a row. So the first page is
 * asked for at once (alone it covers most sites), and when there is more, the rest of the key space is
 * cut into as many equal parts as it takes pages (S3 keeps keys in UTF-8 byte order, so the folder's
 * sorted keys predict where the bucket's are) and the parts are listed side by side, each from its
 * StartAfter until it passes the next cut. A bucket that matches the folder is so listed in one call
 * per 1,000 keys, as in a row; objects that are only in the bucket can make a part take a second
 * page, never a gap or an overlap.
 */
export const PAGE_KEYS = 1000;
/** Parts listed at once. */
const PARALLEL_PARTS = 8;

/** S3's key order: UTF-8 bytes (JavaScript's `<` compares UTF-16 units, which differs above U+FFFF). */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * A key of a listing asked for with EncodingType=url. S3 encodes as HTML forms do (a space may come
 * as `+`, a literal `+` always as `%2B`).
 */
export function decodeListedKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, '%20'));
}

export interface BucketListing {
  /** Every object, once the folder's keys (to cut the rest at) are known. */
  complete(localKeys: readonly string[]): Promise<Map<string, RemoteObject>>;
  /** Resolves once no page is being asked for (after an abort: once every request has ended). */
  settled(): Promise<void>;
  /**
   * What the pages received so far say of a key: its object, `absent` when they cover its place in
   * the key order and hold nothing there, `unknown` before that.
   */
  peek(key: string): RemoteObject | 'absent' | 'unknown';
}

interface Page {
  keys: { key: string; object: RemoteObject }[];
  next?: string;
}

async function listPage(
  s3: S3Client,
  bucket: string,
  from: { startAfter?: string; token?: string },
  signal?: AbortSignal,
): Promise<Page> {
  let output: ListObjectsV2CommandOutput;
  try {
    output = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        MaxKeys: PAGE_KEYS,
        // A key may hold characters XML 1.0 cannot carry (control characters): asked for URL-encoded,
        // every key comes back parseable, and is decoded here.
        EncodingType: 'url',
        ...(from.token ? { ContinuationToken: from.token } : {}),
        ...(from.startAfter !== undefined && !from.token ? { StartAfter: from.startAfter } : {}),
      }),
      { abortSignal: signal },
    );
  } catch (error) {
    if (hasErrorName(error, 'NoSuchBucket')) throw notUpYet(bucket);
    throw error;
  }
  const keys: Page['keys'] = [];
  for (const object of output.Contents ?? []) {
    if (object.Key === undefined) continue;
    keys.push({
      key: decodeListedKey(object.Key),
      object: { etag: unquoteEtag(object.ETag), size: object.Size ?? 0 },
    });
  }
  const page: Page = { keys };
  if (output.IsTruncated && output.NextContinuationToken) page.next = output.NextContinuationToken;
  return page;
}

/** Start listing now; the rest waits for the folder's keys. */
export function startListing(s3: S3Client, bucket: string, signal?: AbortSignal): BucketListing {
  const pending = new Set<Promise<Page>>();
  const seen = new Map<string, RemoteObject>();
  // Keys up to `coveredTo` (all of them once `coveredAll`) are known: listed, or not in the bucket.
  let coveredTo: string | undefined;
  let coveredAll = false;
  const ask = (from: { startAfter?: string; token?: string }): Promise<Page> => {
    const request = listPage(s3, bucket, from, signal);
    pending.add(request);
    const forget = () => pending.delete(request);
    request.then((page) => {
      forget();
      for (const { key, object } of page.keys) seen.set(key, object);
    }, forget);
    return request;
  };
  const first = ask({});
  first.then(
    (page) => {
      if (!page.next) coveredAll = true;
      else coveredTo = page.keys[page.keys.length - 1]?.key;
    },
    () => undefined,
  );
  return {
    async complete(localKeys) {
      const objects = new Map<string, RemoteObject>();
      const page = await first;
      for (const { key, object } of page.keys) objects.set(key, object);
      if (!page.next) return objects;

      const last = page.keys[page.keys.length - 1]?.key ?? '';
      const ahead = [...localKeys].filter((key) => compareKeys(key, last) > 0).sort(compareKeys);
      const cuts: string[] = [];
      const size = Math.ceil(ahead.length / Math.ceil(ahead.length / PAGE_KEYS));
      for (let i = size - 1; i < ahead.length - 1; i += size) cuts.push(ahead[i]!);
      // Part 0 goes on from the first page's token; part i starts after cut i-1 and ends at cut i.
      const parts = [
        { token: page.next, end: cuts[0] },
        ...cuts.map((cut, i) => ({ startAfter: cut, end: cuts[i + 1] })),
      ];
      await pMap(
        parts,
        async (part) => {
          let from: { startAfter?: string; token?: string } =
            'token' in part ? { token: part.token } : { startAfter: part.startAfter };
          for (;;) {
            const next = await ask(from);
            for (const { key, object } of next.keys) {
              if (part.end !== undefined && compareKeys(key, part.end) > 0) return;
              objects.set(key, object);
            }
            if (!next.next) return;
            from = { token: next.next };
          }
        },
        { concurrency: PARALLEL_PARTS, ...(signal ? { signal } : {}) },
      );
      coveredAll = true;
      return objects;
    },
    peek(key) {
      const object = seen.get(key);
      if (object) return object;
      const covered = coveredAll || (coveredTo !== undefined && compareKeys(key, coveredTo) <= 0);
      return covered ? 'absent' : 'unknown';
    },
    async settled() {
      // p-map rejects at the first error or abort without waiting for the parts still running.
      while (pending.size > 0) await Promise.allSettled(pending);
    },
  };
}
