import { describe, expect, it } from 'vitest';
import { invalidationPaths, keyToPath, WILDCARD } from '../../../src/sync/invalidation-paths.js';

describe('invalidationPaths', () => {
  it('skips content-hashed names and adds the directory path of index.html', () => {
    expect(
      invalidationPaths(['index.html', 'about/index.html', 'assets/index-BxK3a9Qz.js', 'robots.txt'], 15),
    ).toEqual(['/', '/about/', '/about/index.html', '/index.html', '/robots.txt']);
  });

  it('is empty when only hashed files changed', () => {
    expect(invalidationPaths(['assets/a-1b2c3d4e.js', 'static/js/main.3f2a1b4c.js'], 15)).toEqual([]);
  });

  it('collapses into /* past the threshold, counting directory paths too', () => {
    const keys = Array.from({ length: 8 }, (_, i) => `page${i}/index.html`);
    expect(invalidationPaths(keys, 16)).toHaveLength(16);
    expect(invalidationPaths(keys, 15)).toEqual([WILDCARD]);
    expect(invalidationPaths(['a.txt', 'b.txt'], 1)).toEqual([WILDCARD]);
    expect(invalidationPaths(['a.txt'], 1)).toEqual(['/a.txt']);
  });

  it('never sends more than CloudFront accepts, whatever the threshold', () => {
    const keys = Array.from({ length: 3001 }, (_, i) => `f${i}.txt`);
    expect(invalidationPaths(keys, 10_000)).toEqual([WILDCARD]);
  });

  // CloudFront's documentation: URL-encode non-ASCII characters and the unsafe characters of RFC 1738,
  // and no other character, or the path may not match the cached one.
  it('encodes only unsafe and non-ASCII characters, as CloudFront documents', () => {
    expect(keyToPath('index.html')).toBe('/index.html');
    expect(keyToPath("docs/it's (1)+&=!$,;:@.html")).toBe("/docs/it's%20(1)+&=!$,;:@.html");
    expect(keyToPath('a b/~user/"<x>"#%{|}\\^[]`.txt')).toBe(
      '/a%20b/%7Euser/%22%3Cx%3E%22%23%25%7B%7C%7D%5C%5E%5B%5D%60.txt',
    );
    expect(keyToPath('ü/日本.html')).toBe('/%C3%BC/%E6%97%A5%E6%9C%AC.html');
    expect(keyToPath('emoji-😀.png')).toBe('/emoji-%F0%9F%98%80.png');
    // A ? would start a query string; a control character is never safe.
    expect(keyToPath('what?.html')).toBe('/what%3F.html');
    expect(keyToPath('tab\tname')).toBe('/tab%09name');
  });

  it('invalidates a key holding the * wildcard by the path up to it, which covers it', () => {
    expect(keyToPath('docs/a b/ü*.txt')).toBe('/docs/a%20b/%C3%BC*');
  });
});
