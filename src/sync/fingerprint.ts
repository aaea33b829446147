import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { isMultipart, MultipartEtagHasher, PART_SIZE } from './multipart-etag.js';

/** What a file's bytes look like to S3. */
export interface Fingerprint {
  /** MD5 of the whole file, hex: the ETag of a single-part object. */
  md5: string;
  /** The ETag after a multipart upload in PART_SIZE parts; only for files larger than PART_SIZE. */
  multipartEtag?: string;
}

/** 1 MiB reads: few syscalls for big files, one read for most web assets. */
const READ_CHUNK = 1024 * 1024;

/**
 * Hash a file in one streaming pass. For large files both the plain MD5 and the multipart ETag are
 * computed: the object may have been stored single-part (a CopyObject metadata update, another tool),
 * and either ETag means "same bytes".
 */
export async function fingerprintFile(
  path: string,
  size: number,
  partSize = PART_SIZE,
): Promise<Fingerprint> {
  const md5 = createHash('md5');
  const parts = isMultipart(size, partSize) ? new MultipartEtagHasher(partSize) : undefined;
  let read = 0;
  const stream = createReadStream(path, { highWaterMark: READ_CHUNK });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    md5.update(chunk);
    parts?.update(chunk);
    read += chunk.length;
  }
  if (read !== size) {
    throw new Error(`${path} changed while it was read (${size} bytes expected, ${read} read)`);
  }
  const result: Fingerprint = { md5: md5.digest('hex') };
  if (parts) result.multipartEtag = parts.digest();
  return result;
}

/** Whether an S3 ETag (quotes removed) means the object holds exactly these bytes. */
export function sameContent(fingerprint: Fingerprint, etag: string): boolean {
  return (
    etag === fingerprint.md5 ||
    (fingerprint.multipartEtag !== undefined && etag === fingerprint.multipartEtag)
  );
}

/** The ETag S3 will report after tekamolo uploads the file. */
export function expectedEtag(fingerprint: Fingerprint): string {
  return fingerprint.multipartEtag ?? fingerprint.md5;
}
