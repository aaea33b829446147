import {
  DeleteObjectCommand,
  type DeleteObjectCommandInput,
  GetBucketVersioningCommand,
  GetObjectCommand,
  type GetObjectCommandInput,
  type GetObjectCommandOutput,
  HeadBucketCommand,
  HeadObjectCommand,
  type HeadObjectCommandInput,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandInput,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { etagOf } from '../../src/state/s3-object.js';

/** One version of a key: an object, or the marker a delete leaves in a versioned bucket. */
export interface FakeVersion {
  key: string;
  versionId: string;
  time: Date;
  /** Undefined for a delete marker. */
  text?: string;
  metadata?: Record<string, string>;
}

/**
 * A versioned S3 bucket held in memory behind a mocked S3Client, for the state and its lock: reads,
 * writes with `If-None-Match: *` / `If-Match` (412 PreconditionFailed as S3 answers), deletes with
 * `If-Match`, and the version listing `state history` reads. Every call reaches the one bucket, by
 * whatever name it is asked for.
 */
export interface FakeStateBucket {
  versions: FakeVersion[];
  /** The current text of a key, or undefined when it is gone or never existed. */
  text(key: string): string | undefined;
  put(key: string, text: string, metadata?: Record<string, string>): void;
}

export function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });
}

/** The one method of a GetObject body that the state reads. */
function body(text: string): GetObjectCommandOutput['Body'] {
  return { transformToString: async () => text } as unknown as GetObjectCommandOutput['Body'];
}

export function fakeStateBucket(mock: AwsClientStub<S3Client>): FakeStateBucket {
  const versions: FakeVersion[] = [];
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const latest = (key: string) => versions.filter((v) => v.key === key).at(-1);
  const current = (key: string) => {
    const found = latest(key);
    return found?.text === undefined ? undefined : { ...found, text: found.text };
  };
  const add = (version: Omit<FakeVersion, 'versionId' | 'time'>) => {
    clock += 60_000;
    versions.push({ ...version, versionId: `v${versions.length + 1}`, time: new Date(clock) });
  };
  const bucket: FakeStateBucket = {
    versions,
    text: (key) => current(key)?.text,
    put: (key, text, metadata) => add(metadata ? { key, text, metadata } : { key, text }),
  };

  mock.on(HeadBucketCommand).resolves({});
  mock.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled' });
  mock.on(GetObjectCommand).callsFake((input: GetObjectCommandInput) => {
    const found = current(input.Key ?? '');
    if (!found) throw s3Error('NoSuchKey', 404);
    return { Body: body(found.text), ETag: etagOf(found.text) };
  });
  mock.on(HeadObjectCommand).callsFake((input: HeadObjectCommandInput) => {
    const found = input.VersionId
      ? versions.find((v) => v.versionId === input.VersionId && v.text !== undefined)
      : current(input.Key ?? '');
    if (!found?.text) throw s3Error('NotFound', 404);
    return { ETag: etagOf(found.text), Metadata: found.metadata ?? {} };
  });
  mock.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => {
    const key = input.Key ?? '';
    const found = current(key);
    if (input.IfNoneMatch === '*' && found) throw s3Error('PreconditionFailed', 412);
    if (input.IfMatch !== undefined && (!found || etagOf(found.text) !== input.IfMatch)) {
      throw found ? s3Error('PreconditionFailed', 412) : s3Error('NoSuchKey', 404);
    }
    const text = String(input.Body ?? '');
    bucket.put(key, text, input.Metadata);
    return { ETag: etagOf(text) };
  });
  mock.on(DeleteObjectCommand).callsFake((input: DeleteObjectCommandInput) => {
    const key = input.Key ?? '';
    const found = current(key);
    if (input.IfMatch !== undefined) {
      if (!found) throw s3Error('NoSuchKey', 404);
      if (etagOf(found.text) !== input.IfMatch) throw s3Error('PreconditionFailed', 412);
    }
    if (found) add({ key });
    return {};
  });
  mock.on(ListObjectVersionsCommand).callsFake((input: ListObjectVersionsCommandInput) => {
    const listed = versions.filter((v) => v.key.startsWith(input.Prefix ?? ''));
    const isLatest = (v: FakeVersion) => latest(v.key) === v;
    const entry = (v: FakeVersion) => ({
      Key: v.key,
      VersionId: v.versionId,
      LastModified: v.time,
      IsLatest: isLatest(v),
    });
    return {
      Versions: listed.filter((v) => v.text !== undefined).map(entry),
      DeleteMarkers: listed.filter((v) => v.text === undefined).map(entry),
      IsTruncated: false,
    };
  });
  return bucket;
}
