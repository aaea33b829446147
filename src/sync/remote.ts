import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { hasErrorName } from '../aws/errors.js';
import { UserError } from '../errors.js';
import { MANIFEST_KEY, type Manifest, parseManifest } from './manifest.js';

export interface RemoteObject {
  /** ETag without quotes. */
  etag: string;
  size: number;
}

/** S3 returns ETags quoted (`"d41d8…"`); some proxies drop the quotes or add a weak prefix. */
export function unquoteEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^W\//, '').replace(/^"|"$/g, '');
}

export function notUpYet(bucket: string): UserError {
  return new UserError(
    `the bucket ${bucket} does not exist: the stack is not up yet`,
    'run `tekamolo up` first, then sync the frontend',
  );
}

/** The sync manifest, or undefined when there is none yet (or it cannot be read as one). */
export async function readManifest(
  s3: S3Client,
  bucket: string,
  signal?: AbortSignal,
): Promise<Manifest | undefined> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: MANIFEST_KEY }), {
      abortSignal: signal,
    });
    const text = await response.Body?.transformToString('utf-8');
    return text === undefined ? undefined : parseManifest(text);
  } catch (error) {
    if (hasErrorName(error, 'NoSuchKey', 'NotFound')) return undefined;
    if (hasErrorName(error, 'NoSuchBucket')) throw notUpYet(bucket);
    throw error;
  }
}
