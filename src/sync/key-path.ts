/**
 * An S3 key as a URL path, the way S3 and CloudFront expect it: each segment percent-encoded, `!'()*`
 * too (in an invalidation path `*` would otherwise act as a wildcard), `/` kept.
 */
export function escapeKey(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join('/');
}
