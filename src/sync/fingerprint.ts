import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
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
 * Files up to this size are read in one blocking call (into a buffer of their size when their bytes
 * are kept): a build folder is thousands of small files on a local disk, and a blocking read costs
 * half the CPU of an asynchronous one (open, stat, read and close each a round trip through the
 * thread pool), for a pause of well under a millisecond per file.
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
/** Larger ones, and bytes not kept, are read in 1 MiB pieces: memory stays bounded whatever the size. */
const READ_CHUNK = 1024 * 1024;
/**
 * Bytes not kept are read into buffers used again and again: reading 2,000 files into a new buffer
 * each costs about two and a half times the CPU of reading them into one (the kernel maps and clears
 * fresh pages for every buffer, and the garbage collector frees them). A small file's blocking read
 * and its hashing end before anything else runs, so one buffer serves them all; one byte more than
 * the largest size, to see a file that grew.
 */
const blockingScratch = Buffer.allocUnsafeSlow(BLOCKING_READ_LIMIT + 1);

function changed(path: string, size: number, read: number): Error {
  return new Error(`${path} changed while it was read (${size} bytes expected, ${read} read)`);
}

/**
 * Hash a file in one pass: the MD5 for a file that goes up in one PUT, the multipart ETag for a larger
 * one (plus its plain MD5 with `wholeMd5`: the object may be stored single-part after a CopyObject
 * metadata update or another tool's upload, and either ETag means "same bytes"). With `onWholeRead`,
 * a file of up to WHOLE_READ_PARTS parts is read into a buffer of its own, handed over to be kept;
 * without, its bytes pass through reused buffers.
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
  const update = (bytes: Buffer) => {
    md5?.update(bytes);
    parts?.update(bytes);
  };
  let read: number;
  if (options.onWholeRead && size <= WHOLE_READ_PARTS * partSize) {
    const data = size <= BLOCKING_READ_LIMIT ? readFileSync(path) : await readFile(path);
    if (data.length !== size) throw changed(path, size, data.length);
    options.onWholeRead(data);
    update(data);
    read = data.length;
  } else if (size <= BLOCKING_READ_LIMIT) {
    read = readBlocking(path, size, update);
  } else {
    read = await readInPieces(path, size, update);
  }
  if (read !== size) throw changed(path, size, read);
  const result: Fingerprint = {};
  if (md5) result.md5 = md5.digest('hex');
  if (parts) result.multipartEtag = parts.digest();
  return result;
}

/**
 * Up to one byte past the scanned size (a file that grew is seen), into the shared scratch buffer;
 * `use` is done with the bytes when it returns. The bytes read.
 */
function readBlocking(path: string, size: number, use: (bytes: Buffer) => void): number {
  const fd = openSync(path, 'r');
  let read = 0;
  try {
    for (;;) {
      const n = readSync(fd, blockingScratch, read, size + 1 - read, read);
      if (n === 0) break;
      read += n;
      if (read > size) break;
    }
  } finally {
    closeSync(fd);
  }
  use(blockingScratch.subarray(0, read));
  return read;
}

/** As readBlocking, asynchronously, through one READ_CHUNK buffer of this file's own. */
async function readInPieces(path: string, size: number, use: (bytes: Buffer) => void): Promise<number> {
  const handle = await open(path, 'r');
  const chunk = Buffer.allocUnsafeSlow(Math.min(READ_CHUNK, size + 1));
  let read = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, size + 1 - read), read);
      if (bytesRead === 0) break;
      use(chunk.subarray(0, bytesRead));
      read += bytesRead;
      if (read > size) break;
    }
  } finally {
    await handle.close();
  }
  return read;
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
