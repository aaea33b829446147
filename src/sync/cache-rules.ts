import { keyGlob } from '../config/key-glob.js';
import { isContentHashed } from './content-hash.js';

/** One `frontend.cacheControl` rule of the config: the first whose glob matches the key wins. */
export interface CacheRule {
  match: string;
  value: string;
}

export const DEFAULT_CACHE_CONTROL = {
  /** A content-hashed name never changes content: browsers and CloudFront may keep it for a year. */
  hashed: 'public, max-age=31536000, immutable',
  /** HTML names the current assets: always revalidated, so a deploy is visible at once. */
  html: 'no-cache',
  other: 'public, max-age=300',
} as const;

export type CacheControlFor = (key: string, contentType: string) => string;

/** Cache-Control for a key: the config's rules in order (globs as in key-glob.ts), then the defaults. */
export function cacheControlRules(rules: CacheRule[] = []): CacheControlFor {
  const compiled = rules.map((rule) => ({ test: keyGlob(rule.match), value: rule.value }));
  return (key, contentType) => {
    for (const rule of compiled) if (rule.test(key)) return rule.value;
    if (isContentHashed(key)) return DEFAULT_CACHE_CONTROL.hashed;
    if (contentType.startsWith('text/html')) return DEFAULT_CACHE_CONTROL.html;
    return DEFAULT_CACHE_CONTROL.other;
  };
}
