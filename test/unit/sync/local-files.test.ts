import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { HashCache } from '../../../src/sync/hash-cache.js';
import { ContentCache, describeFiles } from '../../../src/sync/local-files.js';

const stamp = { mtimeMs: 0, ino: 0 };
const noCache = () => HashCache.load(undefined, '/');

describe('describeFiles', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tekamolo-describe-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('hashes every file and gives it a type and a cache rule, keeping small contents for the upload', async () => {
    await writeFile(join(dir, 'index.html'), '<p>hi');
    await writeFile(join(dir, 'app-1a2b3c4d.js'), 'x()');
    const cache = new ContentCache(1024);
    const files = [
      { key: 'index.html', path: join(dir, 'index.html'), size: 5, ...stamp },
      { key: 'app-1a2b3c4d.js', path: join(dir, 'app-1a2b3c4d.js'), size: 3, ...stamp },
    ];
    const { local: described, hashed } = await describeFiles(
      files,
      { dir, concurrency: 2 },
      cache,
      await noCache(),
    );
    expect(hashed).toBe(2);
    expect(described.map((d) => [d.key, d.fingerprint.md5, d.metadata])).toEqual([
      [
        'index.html',
        createHash('md5').update('<p>hi').digest('hex'),
        { contentType: 'text/html; charset=utf-8', cacheControl: 'no-cache' },
      ],
      [
        'app-1a2b3c4d.js',
        createHash('md5').update('x()').digest('hex'),
        {
          contentType: 'text/javascript; charset=utf-8',
          cacheControl: 'public, max-age=31536000, immutable',
        },
      ],
    ]);
    expect(cache.take('index.html')?.toString()).toBe('<p>hi');
    expect(cache.take('index.html')).toBeUndefined();
  });

  it('keeps the bytes only of files that may go up, and only while there is room', async () => {
    const files = [];
    for (const [key, content] of [
      ['changed.html', '<p>new'],
      ['same.js', 'same()'],
      ['big.css', 'x'.repeat(100)],
    ] as const) {
      await writeFile(join(dir, key), content);
      files.push({ key, path: join(dir, key), size: content.length, ...stamp });
    }
    const cache = new ContentCache(64);
    const { local: described } = await describeFiles(
      files,
      { dir, concurrency: 3 },
      cache,
      await noCache(),
      undefined,
      (file) => file.key !== 'same.js',
    );
    expect(described.map((d) => d.fingerprint.md5)).toEqual([
      createHash('md5').update('<p>new').digest('hex'),
      createHash('md5').update('same()').digest('hex'),
      createHash('md5').update('x'.repeat(100)).digest('hex'),
    ]);
    expect(cache.take('changed.html')?.toString()).toBe('<p>new');
    expect(cache.take('same.js')).toBeUndefined();
    expect(cache.take('big.css')).toBeUndefined();
  });

  it('names every unreadable file in one UserError before anything else happens', async () => {
    await writeFile(join(dir, 'ok.txt'), 'ok');
    const files = [
      { key: 'ok.txt', path: join(dir, 'ok.txt'), size: 2, ...stamp },
      { key: 'gone.txt', path: join(dir, 'gone.txt'), size: 4, ...stamp },
      { key: 'sub/also-gone.css', path: join(dir, 'sub', 'also-gone.css'), size: 4, ...stamp },
    ];
    const error = await describeFiles(
      files,
      { dir, concurrency: 4 },
      new ContentCache(0),
      await noCache(),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/cannot read 2 file\(s\).*gone\.txt.*sub\/also-gone\.css/);
    expect((error as UserError).hint).toMatch(/nothing was uploaded/);
  });
});

describe('ContentCache', () => {
  it('keeps contents up to its byte budget and frees what will not be uploaded', () => {
    const cache = new ContentCache(10);
    cache.offer('a', Buffer.alloc(6));
    cache.offer('b', Buffer.alloc(6));
    cache.offer('c', Buffer.alloc(4));
    expect(cache.take('b')).toBeUndefined();
    cache.keepOnly(new Set(['a']));
    expect(cache.take('c')).toBeUndefined();
    expect(cache.take('a')?.length).toBe(6);
    cache.offer('d', Buffer.alloc(10));
    expect(cache.take('d')?.length).toBe(10);
  });
});
