import { createReadStream, type ReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { CopyObjectCommand, DeleteObjectsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { hasErrorName } from '../aws/errors.js';
import { WorkError } from '../errors.js';
import { type Fingerprint, WHOLE_READ_PARTS } from './fingerprint.js';
import type { ObjectMetadata } from './manifest.js';
import { isMultipart, PART_SIZE } from './multipart-etag.js';
import { unquoteEtag } from './remote.js';

/** The S3 calls of a sync, one object each. Each resolves to the ETag S3 reports. */

export interface UploadFile {
  key: string;
  path: string;
  size: number;
  fingerprint: Fingerprint;
  metadata: ObjectMetadata;
}

export interface TransferOptions {
  signal?: AbortSignal;
  /** Bytes sent while a multipart upload goes on (a single PUT reports nothing: its size is known). */
  onBytes?: (bytes: number) => void;
  /** Parts in flight for one multipart upload. */
  partConcurrency?: number;
  /** The bytes as read for hashing, when kept: exactly what was hashed goes up, without a second read. */
  body?: Buffer;
}

/**
 * Small files are read whole and sent with Content-MD5: S3 rejects the PUT if the bytes are not the
 * ones hashed for the plan (the file changed in between). Large ones go up in fixed PART_SIZE parts
 * so that their ETag is the one computed locally: from the bytes as hashed when kept, else streamed.
 */
export async function uploadFile(
  s3: S3Client,
  bucket: string,
  file: UploadFile,
  options: TransferOptions,
): Promise<string> {
  if (isMultipart(file.size) || file.fingerprint.md5 === undefined) {
    return uploadInParts(s3, bucket, file, options);
  }
  const body = options.body ?? (await readFile(file.path));
  try {
    const response = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: file.key,
        Body: body,
        ContentLength: body.length,
        // The MD5 was computed for the plan anyway: S3 checks it, and the client computes no other
        // checksum (requestChecksumCalculation WHEN_REQUIRED, src/aws/clients.ts).
        ContentMD5: Buffer.from(file.fingerprint.md5, 'hex').toString('base64'),
        ContentType: file.metadata.contentType,
        CacheControl: file.metadata.cacheControl,
      }),
      abortable(body.length, options.signal),
    );
    return unquoteEtag(response.ETag);
  } catch (error) {
    // The bytes read again for the upload are not the ones hashed for the plan.
    if (!options.body && hasErrorName(error, 'BadDigest')) throw changedWhileSyncing(file.key, error);
    throw error;
  }
}

function changedWhileSyncing(key: string, cause: unknown): WorkError {
  return new WorkError(
    `${key} changed while the sync ran: S3 refused bytes other than those hashed for the plan`,
    'sync again once the build is done; nothing that needs a file not uploaded was published (HTML goes last)',
    { cause },
  );
}

/**
 * A body up to this size is sent in moments: on Ctrl-C it is left to finish (its key is whole either
 * way) rather than cut, and the call goes without per-call options, so that the SDK reuses the
 * middleware stack it resolved for the call before (Aws.bucket). A larger one is cut at once.
 */
export const LEFT_TO_FINISH_BYTES = 1024 * 1024;

function abortable(bytes: number, signal: AbortSignal | undefined): { abortSignal: AbortSignal } | undefined {
  return signal && bytes > LEFT_TO_FINISH_BYTES ? { abortSignal: signal } : undefined;
}

async function uploadInParts(
  s3: S3Client,
  bucket: string,
  file: UploadFile,
  options: TransferOptions,
): Promise<string> {
  const upload = new Upload({
    client: s3,
    partSize: PART_SIZE,
    queueSize: options.partConcurrency ?? 4,
    // A failed upload aborts itself so that no parts are left behind to be billed.
    leavePartsOnError: false,
    params: {
      Bucket: bucket,
      Key: file.key,
      Body: options.body ?? (await partsSource(file)),
      ContentType: file.metadata.contentType,
      CacheControl: file.metadata.cacheControl,
    },
  });
  const onAbort = () => void upload.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let sent = 0;
  upload.on('httpUploadProgress', (progress) => {
    const loaded = progress.loaded ?? 0;
    if (loaded > sent) {
      options.onBytes?.(loaded - sent);
      sent = loaded;
    }
  });
  try {
    const result = await upload.done();
    return unquoteEtag(result.ETag);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * The bytes of a multipart upload that were not kept from hashing. A file of up to WHOLE_READ_PARTS
 * parts is read whole: lib-storage sends slices of a buffer, while it copies every part of a stream
 * into a new buffer (about 55 ms of CPU for 20 MiB), and a streamed upload holds as much in memory
 * (its parts in flight and the one being filled). A larger file streams, so memory stays bounded.
 */
async function partsSource(file: UploadFile): Promise<Buffer | ReadStream> {
  if (file.size <= WHOLE_READ_PARTS * PART_SIZE) return readFile(file.path);
  return createReadStream(file.path, { highWaterMark: 1024 * 1024 });
}

/**
 * New headers for an object whose bytes are already right: a copy onto itself with REPLACE, no upload.
 * S3 refuses a self-copy that changes nothing; REPLACE with the headers counts as a change.
 */
export async function replaceMetadata(
  s3: S3Client,
  bucket: string,
  key: string,
  metadata: ObjectMetadata,
): Promise<string> {
  const response = await s3.send(
    new CopyObjectCommand({
      Bucket: bucket,
      Key: key,
      CopySource: `${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`,
      MetadataDirective: 'REPLACE',
      ContentType: metadata.contentType,
      CacheControl: metadata.cacheControl,
    }),
    // No bytes travel: no options, left to finish on Ctrl-C like a small PUT (LEFT_TO_FINISH_BYTES).
  );
  return unquoteEtag(response.CopyObjectResult?.ETag);
}

/** DeleteObjects takes at most 1,000 keys per call. */
const DELETE_BATCH = 1000;

/** Delete keys in batches; a key S3 refused to delete fails the sync with S3's reason. */
export async function deleteKeys(
  s3: S3Client,
  bucket: string,
  keys: string[],
  onDeleted?: (count: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  for (let start = 0; start < keys.length; start += DELETE_BATCH) {
    const batch = keys.slice(start, start + DELETE_BATCH);
    const response = await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
      }),
      { abortSignal: signal },
    );
    const errors = response.Errors ?? [];
    if (errors.length > 0) {
      const first = errors[0]!;
      throw new WorkError(
        `S3 did not delete ${errors.length} of ${batch.length} objects, e.g. ${first.Key}: ${first.Message ?? first.Code}`,
        'check the bucket policy and object lock settings, then sync again',
      );
    }
    onDeleted?.(batch.length);
  }
}
