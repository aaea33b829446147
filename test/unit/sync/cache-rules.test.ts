import { describe, expect, it } from 'vitest';
import { cacheControlRules, DEFAULT_CACHE_CONTROL } from '../../../src/sync/cache-rules.js';
import { contentTypeFor } from '../../../src/sync/mime.js';

const of = (rules: Parameters<typeof cacheControlRules>[0], key: string) =>
  cacheControlRules(rules)(key, contentTypeFor(key));

describe('Cache-Control rules', () => {
  it('defaults: hashed names immutable, HTML no-cache, the rest a short max-age', () => {
    expect(of([], 'assets/index-BxK3a9Qz.js')).toBe('public, max-age=31536000, immutable');
    expect(of([], 'index.html')).toBe('no-cache');
    expect(of([], 'docs/page.htm')).toBe('no-cache');
    expect(of([], 'favicon.ico')).toBe('public, max-age=300');
    expect(of(undefined, 'robots.txt')).toBe(DEFAULT_CACHE_CONTROL.other);
  });

  it('takes the first matching rule of the config, before the defaults', () => {
    const rules = [
      { match: 'assets/legacy/**', value: 'public, max-age=60' },
      { match: 'assets/**', value: 'public, max-age=86400' },
      { match: '*.html', value: 'public, max-age=0, must-revalidate' },
    ];
    expect(of(rules, 'assets/legacy/a.js')).toBe('public, max-age=60');
    expect(of(rules, 'assets/index-BxK3a9Qz.js')).toBe('public, max-age=86400');
    expect(of(rules, 'blog/post/index.html')).toBe('public, max-age=0, must-revalidate');
    expect(of(rules, 'favicon.ico')).toBe('public, max-age=300');
  });

  it('matches a glob without a slash against the file name, a leading slash is ignored', () => {
    const rules = [
      { match: '/fonts/*.woff2', value: 'fonts' },
      { match: '*.json', value: 'json' },
      { match: '.well-known/*', value: 'dot' },
    ];
    expect(of(rules, 'fonts/a.woff2')).toBe('fonts');
    expect(of(rules, 'other/fonts/a.woff2')).toBe(DEFAULT_CACHE_CONTROL.other);
    expect(of(rules, 'deep/dir/data.json')).toBe('json');
    expect(of(rules, '.well-known/security.txt')).toBe('dot');
  });
});
