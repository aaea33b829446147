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

  it('encodes paths as URLs, including * which would be a wildcard', () => {
    expect(keyToPath('docs/a b/ü*.txt')).toBe('/docs/a%20b/%C3%BC%2A.txt');
    expect(keyToPath('index.html')).toBe('/index.html');
  });
});
