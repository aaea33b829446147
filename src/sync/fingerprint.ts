import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isMultipart, MultipartEtagHasher, PART_SIZE } from './multipart-etag.js';

/** What a file's bytes look like to S3. */
export interface Fingerprint {
  /**
   * MD5 of the whole file, hex: the ETag of a single-part object. Always there for files up to the
   * part size; for larger ones only when the bucket holds a single-part copy to compare with.
   */
  md5?: string;
  /** The ETag after a multipart upload in PART_SIZE parts; only for files larger than PART_SIZE. */
  multipartEtag?: string;
}

/**
 * Files up to this size are read in one blocking call into a buffer of their size: a build folder is
 * thousands of small files on a local disk, and a blocking read costs half the CPU of an asynchronous
 * one (open, stat, read and close each a round trip through the thread pool), for a pause of well
 * under a millisecond per file.
 */
const BLOCKING_READ_LIMIT = 1024 * 1024;
/**
 * Files up to this many parts are read whole (asynchronously above BLOCKING_READ_LIMIT), so that their
 * bytes can be kept and uploaded without a second read: a multipart upload from a buffer sends slices
 * of it, while one from a stream first copies every part into a new buffer. The peak memory stays
 * where it was: hashing reads as many files at once as the uploads send, and a streamed multipart
 * upload holds its four parts in flight (and the one being filled) in memory too.
 */
export const WHOLE_READ_PARTS = 4;
/** Larger ones stream in 1 MiB reads: memory stays bounded whatever the file size. */
const READ_CHUNK = 1024 * 1024;

function changed(path: string, size: number, read: number): Error {
  return new Error(`${path} changed while it was read (${size} bytes expected, ${read} read)`);
}

/**
 * Hash a file in one pass: the MD5 for a file that goes up in one PUT, the multipart ETag for a larger
 * one (plus its plain MD5 with `wholeMd5`: the object may be stored single-part after a CopyObject
 * metadata update or another tool's upload, and either ETag means "same bytes").
 */
export async function fingerprintFile(
  path: string,
  size: number,
  options: { partSize?: number; wholeMd5?: boolean; onWholeRead?: (data: Buffer) => void } = {},
): Promise<Fingerprint> {
  const partSize = options.partSize ?? PART_SIZE;
  const multipart = isMultipart(size, partSize);
  const md5 = !multipart || options.wholeMd5 ? createHash('md5') : undefined;
  const parts = multipart ? new MultipartEtagHasher(partSize) : undefined;
  let read = 0;
  if (size <= WHOLE_READ_PARTS * partSize) {
    const data = size <= BLOCKING_READ_LIMIT ? readFileSync(path) : await readFile(path);
    if (data.length !== size) throw changed(path, size, data.length);
    options.onWholeRead?.(data);
    md5?.update(data);
    parts?.update(data);
    read = data.length;
  } else {
    // `end` one byte past the scanned size: reads are sized to the file, and a file that grew is seen.
    const stream = createReadStream(path, { highWaterMark: READ_CHUNK, start: 0, end: size });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      md5?.update(chunk);
      parts?.update(chunk);
      read += chunk.length;
    }
  }
  if (read !== size) throw changed(path, size, read);
  const result: Fingerprint = {};
  if (md5) result.md5 = md5.digest('hex');
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

/** A large file compared with a single-part object (no `-N` in its ETag) needs its plain MD5 too. */
export function needsWholeMd5(fingerprint: Fingerprint, etag: string): boolean {
  return fingerprint.md5 === undefined && !etag.includes('-');
}

/** The ETag S3 will report after tekamolo uploads the file. */
export function expectedEtag(fingerprint: Fingerprint): string {
  return fingerprint.multipartEtag ?? fingerprint.md5 ?? '';
}
