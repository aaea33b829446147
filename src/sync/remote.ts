import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type AwsErrorLike, hasErrorName } from '../aws/errors.js';
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

/**
 * The sync manifest, or undefined when there is none yet (or it cannot be read as one). `onDenied`
 * hears of a manifest the caller may not read.
 */
export async function readManifest(
  s3: S3Client,
  bucket: string,
  signal?: AbortSignal,
  onDenied?: (message: string) => void,
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
    // A bucket policy stricter than tekamolo's (whose Allow for CloudFront leaves the private prefix out), or
    // a deploy role without s3:GetObject on it: the sync works on without the manifest, as for a first
    // sync. S3 answers a GET with AccessDenied, but a 403 without a body has no error code at all.
    if (hasErrorName(error, 'AccessDenied') || (error as AwsErrorLike).$metadata?.httpStatusCode === 403) {
      onDenied?.(
        `the sync manifest ${MANIFEST_KEY} may not be read (access denied): the headers of unchanged objects are set again`,
      );
      return undefined;
    }
    throw error;
  }
}
