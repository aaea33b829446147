import { describe, expect, it } from 'vitest';
import { emptyManifest, MANIFEST_KEY, type Manifest } from '../../../src/sync/manifest.js';
import { type LocalObject, planSync } from '../../../src/sync/plan.js';
import type { RemoteObject } from '../../../src/sync/remote.js';

const html = { contentType: 'text/html; charset=utf-8', cacheControl: 'no-cache' };
const js = {
  contentType: 'text/javascript; charset=utf-8',
  cacheControl: 'public, max-age=31536000, immutable',
};
const txt = { contentType: 'text/plain; charset=utf-8', cacheControl: 'public, max-age=300' };

function file(key: string, md5: string, metadata = txt, size = 10, multipartEtag?: string): LocalObject {
  const fingerprint = multipartEtag ? { md5, multipartEtag } : { md5 };
  return { key, path: `/build/${key}`, size, stamp: { size, mtimeMs: 0, ino: 0 }, fingerprint, metadata };
}

function manifestOf(
  entries: Record<string, [string, { contentType: string; cacheControl: string }]>,
): Manifest {
  const manifest = emptyManifest();
  for (const [key, [etag, metadata]] of Object.entries(entries))
    manifest.objects[key] = { etag, ...metadata };
  return manifest;
}

const options = { deleteStale: false, invalidationThreshold: 15 };

describe('planSync', () => {
  it('uploads what is new or differs by content, assets (largest first) before HTML', () => {
    const local = [
      file('index.html', 'h1', html, 100),
      file('assets/app-1a2b3c4d.js', 'j1', js, 500),
      file('robots.txt', 'r2', txt, 20),
      file('big.bin', 'b1', txt, 9000),
    ];
    const remote = new Map<string, RemoteObject>([
      ['index.html', { etag: 'h0', size: 90 }],
      ['robots.txt', { etag: 'r2', size: 20 }],
    ]);
    const manifest = manifestOf({ 'robots.txt': ['r2', txt] });
    const plan = planSync(local, remote, manifest, options);
    expect(plan.uploads.map((u) => [u.key, u.reason, u.html])).toEqual([
      ['big.bin', 'new', false],
      ['assets/app-1a2b3c4d.js', 'new', false],
      ['index.html', 'changed', true],
    ]);
    expect(plan.unchanged).toEqual(['robots.txt']);
    expect(plan.metadataUpdates).toEqual([]);
    expect(plan.uploadBytes).toBe(9600);
    // new files have nothing cached; the replaced index.html is invalidated with its directory path
    expect(plan.invalidationPaths).toEqual(['/', '/index.html']);
  });

  it('same bytes with other headers is a metadata update, not an upload', () => {
    const newRule = { ...txt, cacheControl: 'public, max-age=60' };
    const local = [file('robots.txt', 'r1', newRule), file('about.txt', 'a1', txt)];
    const remote = new Map<string, RemoteObject>([
      ['robots.txt', { etag: 'r1', size: 10 }],
      ['about.txt', { etag: 'a1', size: 10 }],
    ]);
    const plan = planSync(
      local,
      remote,
      manifestOf({ 'robots.txt': ['r1', txt], 'about.txt': ['a1', txt] }),
      options,
    );
    expect(plan.uploads).toEqual([]);
    expect(plan.metadataUpdates).toEqual([{ key: 'robots.txt', html: false, from: txt, metadata: newRule }]);
    expect(plan.unchanged).toEqual(['about.txt']);
    expect(plan.invalidationPaths).toEqual(['/robots.txt']);
  });

  it('treats headers as unknown when the manifest entry describes another version of the object', () => {
    const local = [file('robots.txt', 'r1')];
    const remote = new Map<string, RemoteObject>([['robots.txt', { etag: 'r1', size: 10 }]]);
    const plan = planSync(local, remote, manifestOf({ 'robots.txt': ['r0', txt] }), options);
    expect(plan.metadataUpdates).toEqual([{ key: 'robots.txt', html: false, metadata: txt }]);
    const noManifest = planSync(local, remote, emptyManifest(), options);
    expect(noManifest.metadataUpdates.map((m) => m.key)).toEqual(['robots.txt']);
  });

  it('accepts a large object by its multipart ETag or its MD5, and re-uploads one sent in other parts', () => {
    const big = file('video.mp4', 'm-full', txt, 20_000_000, 'm-parts-3');
    const plan = (etag: string) =>
      planSync(
        [big],
        new Map([['video.mp4', { etag, size: 20_000_000 }]]),
        manifestOf({ 'video.mp4': [etag, txt] }),
        options,
      );
    expect(plan('m-parts-3').unchanged).toEqual(['video.mp4']);
    expect(plan('m-full').unchanged).toEqual(['video.mp4']);
    expect(plan('other-parts-4').uploads.map((u) => u.reason)).toEqual(['changed']);
  });

  it('keeps stale objects without --delete, deletes and invalidates them with it, never lists tekamolo’s own keys', () => {
    const local = [file('index.html', 'h1', html)];
    const remote = new Map<string, RemoteObject>([
      ['index.html', { etag: 'h1', size: 10 }],
      ['old/index.html', { etag: 'o1', size: 10 }],
      ['assets/old-9f8e7d6c.js', { etag: 'x', size: 10 }],
      [MANIFEST_KEY, { etag: 'm', size: 10 }],
      ['.tekamolo/other.json', { etag: 'n', size: 10 }],
    ]);
    const manifest = manifestOf({ 'index.html': ['h1', html] });
    const keep = planSync(local, remote, manifest, options);
    expect(keep.stale).toEqual(['assets/old-9f8e7d6c.js', 'old/index.html']);
    expect(keep.deleteStale).toBe(false);
    expect(keep.invalidationPaths).toEqual([]);
    const remove = planSync(local, remote, manifest, { ...options, deleteStale: true });
    expect(remove.stale).toEqual(['assets/old-9f8e7d6c.js', 'old/index.html']);
    expect(remove.invalidationPaths).toEqual(['/old/', '/old/index.html']);
  });

  it('collapses many changed paths into one wildcard', () => {
    const local = Array.from({ length: 20 }, (_, i) => file(`p${i}.txt`, `new${i}`));
    const remote = new Map(local.map((f) => [f.key, { etag: 'old', size: 10 }]));
    expect(planSync(local, remote, emptyManifest(), options).invalidationPaths).toEqual(['/*']);
    expect(
      planSync(local, remote, emptyManifest(), { ...options, invalidationThreshold: 20 }).invalidationPaths,
    ).toHaveLength(20);
  });
});
