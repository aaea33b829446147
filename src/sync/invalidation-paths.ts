import { isContentHashed } from './content-hash.js';

/** CloudFront accepts at most 3,000 paths in progress per distribution (wildcards 15). */
const CLOUDFRONT_PATH_LIMIT = 3000;

export const WILDCARD = '/*';

/**
 * Characters CloudFront wants percent-encoded in an invalidation path: control characters, the
 * unsafe characters of RFC 1738 (space `<>"#%{}|\^~[]` and backquote), and `?`, which would start a
 * query string. Everything else ASCII stays as it is (`&=+!'()$,;:@`): CloudFront's documentation
 * says to encode only unsafe and non-ASCII characters, otherwise the path may not match what it has
 * cached. Non-ASCII characters are encoded as their UTF-8 bytes.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it must find
const UNSAFE = /[\x00-\x20\x7f"#%<>?[\\\]^`{|}~]|[^\x00-\x7f]+/gu;

/** encodeURIComponent leaves `~` alone; the UTF-8 bytes of the rest are what it gives. */
function percentEncode(chars: string): string {
  const code = chars.charCodeAt(0);
  return code < 0x80 ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : encodeURIComponent(chars);
}

/**
 * A key as a CloudFront invalidation path. `*` is CloudFront's wildcard and has no escape: a key
 * holding one is invalidated by the path up to it followed by `*`, which covers it (and maybe a few
 * neighbours).
 */
export function keyToPath(key: string): string {
  const star = key.indexOf('*');
  const literal = star < 0 ? key : key.slice(0, star);
  const encoded = `/${literal.replace(UNSAFE, percentEncode)}`;
  return star < 0 ? encoded : `${encoded}*`;
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
