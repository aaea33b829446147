import { createHash, type Hash } from 'node:crypto';

/**
 * tekamolo's fixed multipart part size. S3 reports a multipart object's ETag as the MD5 of its parts'
 * MD5 digests plus `-<parts>`, which only a reader that knows the part size can recompute; fixing it
 * makes the ETag of every object tekamolo uploaded predictable from the local file alone. 8 MiB is also
 * aws-cli's default chunk size, so objects it uploaded compare equal too.
 */
export const PART_SIZE = 8 * 1024 * 1024;

/** Files larger than this go up in parts; a file of exactly PART_SIZE is one PutObject (as lib-storage does). */
export const MULTIPART_THRESHOLD = PART_SIZE;

export function isMultipart(size: number, partSize = PART_SIZE): boolean {
  return size > partSize;
}

export function partCount(size: number, partSize = PART_SIZE): number {
  return Math.max(1, Math.ceil(size / partSize));
}

/** `<md5 of the concatenated part digests>-<parts>`, from the raw 16-byte MD5 digests of the parts. */
export function etagFromPartDigests(partDigests: Buffer[]): string {
  return `${createHash('md5').update(Buffer.concat(partDigests)).digest('hex')}-${partDigests.length}`;
}

/**
 * Feeds a byte stream chunk by chunk and splits it at part boundaries, keeping only one running MD5
 * and 16 bytes per finished part: memory stays constant whatever the file size.
 */
export class MultipartEtagHasher {
  private readonly digests: Buffer[] = [];
  private current: Hash = createHash('md5');
  private inPart = 0;

  constructor(private readonly partSize = PART_SIZE) {}

  update(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(this.partSize - this.inPart, chunk.length - offset);
      this.current.update(chunk.subarray(offset, offset + take));
      this.inPart += take;
      offset += take;
      if (this.inPart === this.partSize) {
        this.digests.push(this.current.digest());
        this.current = createHash('md5');
        this.inPart = 0;
      }
    }
  }

  digest(): string {
    const digests =
      this.inPart > 0 || this.digests.length === 0 ? [...this.digests, this.current.digest()] : this.digests;
    return etagFromPartDigests(digests);
  }
}

/** The multipart ETag of a buffer for a part size (what S3 reports after uploading it in such parts). */
export function multipartEtag(data: Uint8Array, partSize = PART_SIZE): string {
  const hasher = new MultipartEtagHasher(partSize);
  hasher.update(data);
  return hasher.digest();
}
