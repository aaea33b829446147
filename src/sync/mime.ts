import mime from 'mime-types';

const FALLBACK = 'application/octet-stream';

/**
 * Content-Type from the mime-db database (through mime-types), with `charset=utf-8` for text types.
 * mime-types adds the charset for text/*, JavaScript and JSON; XML and SVG are text too, and without a
 * charset browsers guess from the bytes.
 */
export function contentTypeFor(key: string): string {
  const base = key.slice(key.lastIndexOf('/') + 1);
  const type = mime.lookup(base);
  if (!type) return FALLBACK;
  if (type === 'application/xml' || type.endsWith('+xml')) return `${type}; charset=utf-8`;
  return mime.contentType(type) || type;
}

export function isHtml(contentType: string): boolean {
  return contentType.startsWith('text/html');
}
