import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { hasErrorName } from '../aws/errors.js';
import { WorkError } from '../errors.js';
import type { StateBackend } from './backend.js';
import type { StateLock } from './lock.js';
import { acquireS3Lock } from './s3-lock.js';
import { currentEtag, describeS3Error, etagOf, preconditionFailed, readText } from './s3-object.js';

/** Who writes: kept as object metadata on every version, which is what `state history` lists. */
export interface StateWriter {
  command: string;
  by: string;
}

export const LOCK_SUFFIX = '.lock';

/**
 * The state as an object in S3. Every write is conditional on the ETag of the version this run read
 * or last wrote (`If-Match`), or on there being none (`If-None-Match: *`): a run that lost its lock to
 * `unlock`, or any second writer, is refused instead of overwriting newer state. The bucket's
 * versioning keeps every earlier version.
 */
export class S3Backend implements StateBackend {
  /** ETag of the version read or last written; undefined while no state exists. */
  private etag: string | undefined;

  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    readonly key: string,
    private readonly writer: StateWriter,
  ) {}

  get location(): string {
    return `s3://${this.bucket}/${this.key}`;
  }

  get restoreHint(): string {
    return '`tekamolo state history` lists its earlier versions: put a good one back with `aws s3api copy-object`';
  }

  async read(): Promise<string | undefined> {
    try {
      const found = await readText(this.s3, this.bucket, this.key);
      this.etag = found?.etag;
      return found?.text;
    } catch (error) {
      // plan and status never create the state bucket: without it there is no state yet.
      if (hasErrorName(error, 'NoSuchBucket')) return undefined;
      throw this.failure('read', error);
    }
  }

  async write(text: string): Promise<void> {
    const condition = this.etag === undefined ? { IfNoneMatch: '*' } : { IfMatch: this.etag };
    try {
      const answer = await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          Body: text,
          ContentType: 'application/json',
          Metadata: { command: this.writer.command, by: this.writer.by },
          ...condition,
        }),
      );
      this.etag = answer.ETag ?? etagOf(text);
    } catch (error) {
      // If-Match on a key that is gone answers NoSuchKey: another run removed the state.
      const gone = this.etag !== undefined && hasErrorName(error, 'NoSuchKey');
      if (!preconditionFailed(error) && !gone) throw this.failure('save', error);
      // The SDK retried a write whose first attempt S3 had applied (the answer was lost): its own
      // condition refuses the retry, and the object is then exactly this text.
      const now = await currentEtag(this.s3, this.bucket, this.key);
      if (now === etagOf(text)) {
        this.etag = now;
        return;
      }
      throw this.changed(now);
    }
  }

  async remove(): Promise<void> {
    try {
      await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key, IfMatch: this.etag }));
    } catch (error) {
      if (!preconditionFailed(error) && !hasErrorName(error, 'NoSuchKey', 'NotFound')) {
        throw this.failure('remove', error);
      }
      const now = await currentEtag(this.s3, this.bucket, this.key);
      // Gone: a retried delete whose first attempt S3 had applied.
      if (now !== undefined) throw this.changed(now);
    }
    this.etag = undefined;
  }

  lock(command: string): Promise<StateLock> {
    return acquireS3Lock({ s3: this.s3, bucket: this.bucket, key: `${this.key}${LOCK_SUFFIX}` }, command);
  }

  private changed(now: string | undefined): WorkError {
    const read = this.etag === undefined ? 'none existed' : `version ${this.etag}`;
    return new WorkError(
      `the state ${this.location} was changed by another run since this run read it ` +
        `(read: ${read}; now: ${now === undefined ? 'deleted' : `version ${now}`}); it was not overwritten`,
      '`tekamolo state pull` shows the newer state; run the command again to start from it',
    );
  }

  private failure(what: string, error: unknown): WorkError {
    return new WorkError(
      `could not ${what} the state ${this.location}: ${describeS3Error(error)}`,
      'check the credentials can read and write the state bucket (README: team use), then run the command again',
      { cause: error },
    );
  }
}
