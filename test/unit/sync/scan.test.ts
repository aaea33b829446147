import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { scanFolder } from '../../../src/sync/scan.js';

describe('scanFolder', () => {
  let base: string;
  let dist: string;
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'tekamolo-scan-'));
    dist = join(base, 'dist');
    await mkdir(join(dist, 'assets', 'img'), { recursive: true });
    await writeFile(join(dist, 'index.html'), '<!doctype html>');
    await writeFile(join(dist, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(join(dist, 'assets', 'img', 'a.png'), Buffer.alloc(3));
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('lists every file with its key and size, sorted', async () => {
    const result = await scanFolder(dist);
    expect(result.files.map((f) => [f.key, f.size])).toEqual([
      ['assets/app.js', 14],
      ['assets/img/a.png', 3],
      ['index.html', 15],
    ]);
    expect(result.skipped).toEqual([]);
  });

  it('skips the folder tekamolo keeps for itself in the bucket, whose files would never be served', async () => {
    await mkdir(join(dist, '.tekamolo'));
    await writeFile(join(dist, '.tekamolo', 'sync-manifest.json'), '{}');
    await writeFile(join(dist, '.tekamolo', 'notes.txt'), 'x');
    await writeFile(join(dist, '.tekamolo-like.txt'), 'kept');
    const result = await scanFolder(dist, { include: ['.tekamolo*'] });
    expect(result.files.map((f) => f.key)).toEqual([
      '.tekamolo-like.txt',
      'assets/app.js',
      'assets/img/a.png',
      'index.html',
    ]);
    expect(result.skipped).toEqual([
      ".tekamolo: .tekamolo/ is kept for tekamolo's own files in the bucket and never served",
    ]);
  });

  it('follows symlinks inside the folder and skips those leaving it', async () => {
    await writeFile(join(base, 'secret.txt'), 'key');
    await symlink(join(base, 'secret.txt'), join(dist, 'leak.txt'));
    await symlink(base, join(dist, 'up'));
    await symlink(join(dist, 'assets', 'img'), join(dist, 'images'));
    await symlink(join(dist, 'index.html'), join(dist, 'home.html'));
    await symlink(join(dist, 'assets'), join(dist, 'assets', 'img', 'loop'));
    const result = await scanFolder(dist);
    const keys = result.files.map((f) => f.key);
    expect(keys).toEqual([
      'assets/app.js',
      'assets/img/a.png',
      'home.html',
      'images/a.png',
      'images/loop/app.js',
      'index.html',
    ]);
    expect(keys.some((k) => k.includes('secret'))).toBe(false);
    expect(result.skipped).toHaveLength(4);
    expect(result.skipped.join('\n')).toMatch(/leak\.txt.*outside/);
  });

  it('fails on a broken symlink before anything else happens', async () => {
    await symlink(join(dist, 'missing.js'), join(dist, 'broken.js'));
    await expect(scanFolder(dist)).rejects.toThrow(/broken symbolic link/);
  });

  it('refuses a missing folder and an empty folder with a UserError (exit 2)', async () => {
    await expect(scanFolder(join(base, 'nope'))).rejects.toBeInstanceOf(UserError);
    await mkdir(join(base, 'empty', 'sub'), { recursive: true });
    const error = await scanFolder(join(base, 'empty')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(/empty/);
  });
});
