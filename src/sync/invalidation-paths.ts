import { isContentHashed } from './content-hash.js';

/** CloudFront accepts at most 3,000 paths in progress per distribution (wildcards 15). */
const CLOUDFRONT_PATH_LIMIT = 3000;

export const WILDCARD = '/*';

/**
 * CloudFront invalidation paths are URL paths: each segment is percent-encoded as browsers send it, and
 * `*` must be encoded too, or it would act as a wildcard.
 */
export function keyToPath(key: string): string {
  return `/${key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join('/')}`;
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
