import { isContentHashed } from './content-hash.js';
import { escapeKey } from './key-path.js';

/** CloudFront accepts at most 3,000 paths in progress per distribution (wildcards 15). */
const CLOUDFRONT_PATH_LIMIT = 3000;

export const WILDCARD = '/*';

/** CloudFront invalidation paths are URL paths, encoded as browsers send them. */
export function keyToPath(key: string): string {
  return `/${escapeKey(key)}`;
}

/**
 * The paths to invalidate for keys whose content or headers changed (or that were deleted). Content-
 * hashed names are skipped: a changed file gets a new name. `index.html` is also served under its
 * directory path (`/`, `/about/`), which CloudFront caches separately. More paths than `threshold`
 * become one `/*`: it counts as one path and costs the same as any single one.
 */
export function invalidationPaths(keys: Iterable<string>, threshold: number): string[] {
  const paths = new Set<string>();
  for (const key of keys) {
    if (isContentHashed(key)) continue;
    paths.add(keyToPath(key));
    const base = key.slice(key.lastIndexOf('/') + 1);
    if (base === 'index.html') {
      const dir = key.slice(0, key.length - base.length);
      paths.add(dir === '' ? '/' : keyToPath(dir));
    }
  }
  if (paths.size > Math.min(threshold, CLOUDFRONT_PATH_LIMIT)) return [WILDCARD];
  return [...paths].sort();
}
