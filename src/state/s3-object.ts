import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { errorName, hasErrorName } from '../aws/errors.js';

/** An object's text and the ETag of that version, or undefined when the key does not exist. */
export interface S3Text {
  text: string;
  etag: string;
}

function notFound(error: unknown): boolean {
  return hasErrorName(error, 'NoSuchKey', 'NotFound');
}

/** A conditional write or delete that S3 refused: the object is not the version we expected. */
export function preconditionFailed(error: unknown): boolean {
  // 409 ConditionalRequestConflict: another conditional write to the key was in flight at that moment.
  return hasErrorName(error, 'PreconditionFailed', 'ConditionalRequestConflict');
}

export async function readText(s3: S3Client, bucket: string, key: string): Promise<S3Text | undefined> {
  try {
    const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return { text: (await answer.Body?.transformToString('utf8')) ?? '', etag: answer.ETag ?? '' };
  } catch (error) {
    if (notFound(error)) return undefined;
    throw error;
  }
}

/** The current ETag of a key, or undefined when it does not exist. */
export async function currentEtag(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    return (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ETag;
  } catch (error) {
    if (notFound(error)) return undefined;
    throw error;
  }
}

/** The ETag S3 gives a single-part upload of `text` without KMS: the quoted MD5 of its bytes. */
export function etagOf(text: string): string {
  return `"${createHash('md5').update(text).digest('hex')}"`;
}

export function describeS3Error(error: unknown): string {
  const name = errorName(error);
  const message = error instanceof Error ? error.message : String(error);
  return name && !message.includes(name) ? `${name}: ${message}` : message;
}
