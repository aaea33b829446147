import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HashCache } from '../../../src/sync/hash-cache.js';

const MD5 = 'd41d8cd98f00b204e9800998ecf8427e';
const OLD = Date.now() - 60_000;
const stamp = { size: 10, mtimeMs: OLD, ino: 42 };

describe('HashCache', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tekamolo-hashes-'));
    file = join(dir, 'state', 'sync-hashes.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function saved(): Promise<void> {
    const cache = await HashCache.load(file, '/site');
    cache.set('index.html', stamp, { md5: MD5 });
    await cache.save();
  }

  it('gives back a fingerprint only while size, mtime and inode are those recorded', async () => {
    await saved();
    const cache = await HashCache.load(file, '/site');
    expect(cache.get('index.html', stamp)).toEqual({ md5: MD5 });
    expect(cache.get('index.html', { ...stamp, size: 11 })).toBeUndefined();
    expect(cache.get('index.html', { ...stamp, mtimeMs: OLD + 1 })).toBeUndefined();
    expect(cache.get('index.html', { ...stamp, ino: 43 })).toBeUndefined();
    expect(cache.get('other.html', stamp)).toBeUndefined();
  });

  it('keeps only what the last sync saw', async () => {
    await saved();
    const second = await HashCache.load(file, '/site');
    second.set('new.html', stamp, { md5: MD5 });
    await second.save();
    const third = await HashCache.load(file, '/site');
    expect(third.get('index.html', stamp)).toBeUndefined();
    expect(third.get('new.html', stamp)).toEqual({ md5: MD5 });
  });

  it('does not trust a file changed in the same moment the cache was written (racy)', async () => {
    const now = Date.now();
    const cache = await HashCache.load(file, '/site');
    const fresh = { ...stamp, mtimeMs: now - 500 };
    cache.set('index.html', fresh, { md5: MD5 });
    await cache.save(now);
    expect((await HashCache.load(file, '/site')).get('index.html', fresh)).toBeUndefined();
  });

  it('ignores a corrupt cache, a cache of another folder or version, and malformed entries', async () => {
    await saved();
    expect((await HashCache.load(file, '/elsewhere')).get('index.html', stamp)).toBeUndefined();
    const data = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...data, version: 99 }));
    expect((await HashCache.load(file, '/site')).get('index.html', stamp)).toBeUndefined();
    await writeFile(
      file,
      JSON.stringify({ ...data, entries: { 'index.html': { ...stamp, md5: 'not-a-hash' } } }),
    );
    expect((await HashCache.load(file, '/site')).get('index.html', stamp)).toBeUndefined();
    await writeFile(file, '{"version":1,"root":"/site"');
    expect((await HashCache.load(file, '/site')).get('index.html', stamp)).toBeUndefined();
  });
});
