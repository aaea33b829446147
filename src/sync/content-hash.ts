/**
 * Whether a file name carries a content hash (`main.3f2a1b4c.js`, `index-BxK3a9Qz.js`,
 * `chunk-5f1e2d3c4b5a6978.css`): such a file never changes under its name, so it may be cached for a
 * year and never needs an invalidation.
 *
 * A wrong "yes" would cache a changing file for a year, a wrong "no" only costs a shorter cache; so the
 * test is strict: a token right before the extension (after `.` or `-`), or a `.`-separated token in
 * the middle (`main.3f2a1b4c.chunk.js`), that looks random — hex with a digit, base64url with digits
 * and both cases, or letters only that switch case often. `og-image-1200x630.png`,
 * `apple-touch-icon-180x180.png`, `HomePage.js` and `jquery-3.7.1.min.js` are not hashed. Config rules
 * (`frontend.cacheControl`) override the defaults for anything this gets wrong.
 */
export function isContentHashed(key: string): boolean {
  const base = key.slice(key.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return false;
  const stem = base.slice(0, dot);
  return candidates(stem).some(looksLikeHash);
}

function candidates(stem: string): string[] {
  const found: string[] = [];
  const dotted = stem.split('.');
  // name.HASH, name.HASH.chunk
  for (let i = 1; i < dotted.length; i++) found.push(dotted[i]!);
  const last = dotted[dotted.length - 1]!;
  const lastPart = dotted.length > 1 ? last : stem;
  // name-HASH, and name-HA-SH: base64url hashes may contain "-" themselves (rollup, Vite: 8 characters)
  const dash = lastPart.lastIndexOf('-');
  if (dash > 0) found.push(lastPart.slice(dash + 1));
  if (lastPart.length > 9 && lastPart[lastPart.length - 9] === '-') found.push(lastPart.slice(-8));
  return found;
}

const HEX = /^[0-9a-f]{8,64}$/;
const BASE64URL = /^[A-Za-z0-9_-]{8,32}$/;

function looksLikeHash(token: string): boolean {
  if (HEX.test(token)) return /[0-9]/.test(token) && /[a-f]/.test(token);
  if (!BASE64URL.test(token)) return false;
  const digits = /[0-9]/.test(token);
  const upper = /[A-Z]/.test(token);
  const lower = /[a-z]/.test(token);
  if (digits && upper && lower) return true;
  if (!digits && upper && lower) return caseSwitches(token) >= 4;
  return false;
}

function caseSwitches(token: string): number {
  let switches = 0;
  let previous: boolean | undefined;
  for (const ch of token) {
    if (!/[A-Za-z]/.test(ch)) continue;
    const isUpper = ch === ch.toUpperCase();
    if (previous !== undefined && isUpper !== previous) switches++;
    previous = isUpper;
  }
  return switches;
}
