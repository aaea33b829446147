import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  expectedEtag,
  fingerprintFile,
  needsWholeMd5,
  sameContent,
  WHOLE_READ_PARTS,
} from '../../../src/sync/fingerprint.js';
import {
  isMultipart,
  MultipartEtagHasher,
  multipartEtag,
  PART_SIZE,
  partCount,
} from '../../../src/sync/multipart-etag.js';

/** The definition written out once more, independently: MD5 over the concatenated raw part MD5s. */
function referenceEtag(data: Buffer, partSize: number): string {
  const digests: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += partSize) {
    digests.push(
      createHash('md5')
        .update(data.subarray(offset, offset + partSize))
        .digest(),
    );
  }
  return `${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${digests.length}`;
}

describe('multipart ETag', () => {
  it.each([
    [10, 3],
    [9, 3],
    [1, 1],
    [1000, 64],
  ])('matches the definition for %i bytes in %i-byte parts', (size, partSize) => {
    const data = randomBytes(size);
    expect(multipartEtag(data, partSize)).toBe(referenceEtag(data, partSize));
    expect(multipartEtag(data, partSize).endsWith(`-${Math.ceil(size / partSize)}`)).toBe(true);
  });

  it('does not depend on how the stream is chunked', () => {
    const data = randomBytes(5000);
    const hasher = new MultipartEtagHasher(777);
    let offset = 0;
    for (const step of [1, 776, 2, 1500, 3, 777, 1941]) {
      hasher.update(data.subarray(offset, offset + step));
      offset += step;
    }
    expect(offset).toBe(data.length);
    expect(hasher.digest()).toBe(referenceEtag(data, 777));
  });

  it('uses parts only above the part size, as lib-storage does', () => {
    expect(isMultipart(PART_SIZE)).toBe(false);
    expect(isMultipart(PART_SIZE + 1)).toBe(true);
    expect(partCount(PART_SIZE + 1)).toBe(2);
    expect(partCount(3 * PART_SIZE)).toBe(3);
  });
});

describe('fingerprintFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tekamolo-fp-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the MD5 of a small file and no multipart ETag', async () => {
    const data = randomBytes(4096);
    await writeFile(join(dir, 'a.bin'), data);
    const fp = await fingerprintFile(join(dir, 'a.bin'), data.length, { partSize: 8192 });
    expect(fp.md5).toBe(createHash('md5').update(data).digest('hex'));
    expect(fp.multipartEtag).toBeUndefined();
    expect(expectedEtag(fp)).toBe(fp.md5);
  });

  it('gives both the MD5 and the multipart ETag of a large file, streamed in 1 MiB reads', async () => {
    const data = randomBytes(2.5 * 1024 * 1024);
    await writeFile(join(dir, 'big.bin'), data);
    // More than WHOLE_READ_PARTS parts: streamed, and nothing offered to keep.
    const partSize = 512 * 1024 + 7;
    const kept: Buffer[] = [];
    const fp = await fingerprintFile(join(dir, 'big.bin'), data.length, {
      partSize,
      wholeMd5: true,
      onWholeRead: (bytes) => kept.push(bytes),
    });
    expect(kept).toEqual([]);
    expect(fp.md5).toBe(createHash('md5').update(data).digest('hex'));
    expect(fp.multipartEtag).toBe(referenceEtag(data, partSize));
    expect(expectedEtag(fp)).toBe(fp.multipartEtag);
    expect(sameContent(fp, createHash('md5').update(data).digest('hex'))).toBe(true);
    expect(sameContent(fp, referenceEtag(data, partSize))).toBe(true);
    // An object uploaded in other parts has another ETag: uploaded again once.
    expect(sameContent(fp, referenceEtag(data, 1024 * 1024))).toBe(false);
  });

  it('reads a file of a few parts whole, once, and offers those bytes for the upload', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 5);
    await writeFile(join(dir, 'big.bin'), data);
    const partSize = 1024 * 1024;
    expect(data.length).toBeLessThanOrEqual(WHOLE_READ_PARTS * partSize);
    const kept: Buffer[] = [];
    const fp = await fingerprintFile(join(dir, 'big.bin'), data.length, {
      partSize,
      onWholeRead: (bytes) => kept.push(bytes),
    });
    expect(kept).toHaveLength(1);
    expect(kept[0]!.equals(data)).toBe(true);
    expect(fp.multipartEtag).toBe(referenceEtag(data, partSize));
  });

  it('skips the plain MD5 of a large file unless asked, and says when it is needed', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 5);
    await writeFile(join(dir, 'big.bin'), data);
    const fp = await fingerprintFile(join(dir, 'big.bin'), data.length, { partSize: 1024 * 1024 });
    expect(fp.md5).toBeUndefined();
    expect(fp.multipartEtag).toBe(referenceEtag(data, 1024 * 1024));
    expect(needsWholeMd5(fp, createHash('md5').update(data).digest('hex'))).toBe(true);
    expect(needsWholeMd5(fp, referenceEtag(data, 1024 * 1024))).toBe(false);
  });

  it('hashes files whose bytes are not kept through reused buffers, each file its own digest', async () => {
    const small = [randomBytes(70_000), randomBytes(1024 * 1024), randomBytes(10)];
    const large = randomBytes(3 * 1024 * 1024 + 5);
    for (const [i, data] of small.entries()) await writeFile(join(dir, `s${i}.bin`), data);
    await writeFile(join(dir, 'large.bin'), large);
    const [fingerprints, largeFingerprint] = await Promise.all([
      Promise.all(small.map((data, i) => fingerprintFile(join(dir, `s${i}.bin`), data.length))),
      fingerprintFile(join(dir, 'large.bin'), large.length, { partSize: 1024 * 1024, wholeMd5: true }),
    ]);
    expect(fingerprints.map((fp) => fp.md5)).toEqual(
      small.map((data) => createHash('md5').update(data).digest('hex')),
    );
    expect(largeFingerprint.md5).toBe(createHash('md5').update(large).digest('hex'));
    expect(largeFingerprint.multipartEtag).toBe(referenceEtag(large, 1024 * 1024));
  });

  it('sees a small file that grew or shrank after the scan, its bytes kept or not', async () => {
    await writeFile(join(dir, 'a.txt'), 'hello');
    await expect(fingerprintFile(join(dir, 'a.txt'), 4)).rejects.toThrow(/changed while it was read/);
    await expect(fingerprintFile(join(dir, 'a.txt'), 6)).rejects.toThrow(/\(6 bytes expected, 5 read\)/);
    await expect(fingerprintFile(join(dir, 'a.txt'), 4, { onWholeRead: () => {} })).rejects.toThrow(
      /changed while it was read/,
    );
  });

  it('sees a large file that grew after the scan, read in pieces or whole to be kept', async () => {
    await writeFile(join(dir, 'big.bin'), randomBytes(2 * 1024 * 1024));
    await expect(fingerprintFile(join(dir, 'big.bin'), 1024 * 1024 + 1)).rejects.toThrow(/changed while/);
    const kept: Buffer[] = [];
    await expect(
      fingerprintFile(join(dir, 'big.bin'), 1024 * 1024 + 1, { onWholeRead: (bytes) => kept.push(bytes) }),
    ).rejects.toThrow(/\(1048577 bytes expected, 2097152 read\)/);
    expect(kept).toEqual([]);
  });

  it('hashes an empty file, its bytes kept or not', async () => {
    await writeFile(join(dir, 'empty.txt'), '');
    const emptyMd5 = createHash('md5').digest('hex');
    expect((await fingerprintFile(join(dir, 'empty.txt'), 0)).md5).toBe(emptyMd5);
    expect((await fingerprintFile(join(dir, 'empty.txt'), 0, { onWholeRead: () => {} })).md5).toBe(emptyMd5);
  });

  it('splits parts across the pieces read when the part size is not a multiple of them', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 5);
    await writeFile(join(dir, 'big.bin'), data);
    const partSize = 700_001;
    const fp = await fingerprintFile(join(dir, 'big.bin'), data.length, { partSize, wholeMd5: true });
    expect(fp.multipartEtag).toBe(referenceEtag(data, partSize));
    expect(fp.md5).toBe(createHash('md5').update(data).digest('hex'));
  });

  it('fails when the file is not the size that was scanned', async () => {
    await writeFile(join(dir, 'a.txt'), 'hello');
    await expect(fingerprintFile(join(dir, 'a.txt'), 4)).rejects.toThrow(/changed while it was read/);
  });
});
