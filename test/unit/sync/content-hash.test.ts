import { describe, expect, it } from 'vitest';
import { isContentHashed } from '../../../src/sync/content-hash.js';

describe('isContentHashed', () => {
  it.each([
    'assets/index-BxK3a9Qz.js',
    'assets/vendor-react-B-x3_aQz.js',
    'assets/index-C2kP9xQe.css',
    'assets/HomePage-xQzRtBkP.js',
    'static/js/main.3f2a1b4c.js',
    'static/js/787.3f2a1b4c.chunk.js',
    'static/css/main.5f1e2d3c4b5a6978.css',
    '_next/static/chunks/pages/about-8c1f3e4d5a6b7c8d.js',
    'fonts/inter.a1b2c3d4e5.woff2',
  ])('%s is content-hashed', (key) => {
    expect(isContentHashed(key)).toBe(true);
  });

  it.each([
    'index.html',
    'about/index.html',
    'favicon.ico',
    'robots.txt',
    'manifest.json',
    'sw.js',
    'og-image-1200x630.png',
    'apple-touch-icon-180x180.png',
    'favicon-32x32.png',
    'js/jquery-3.7.1.min.js',
    'components/HomePage.js',
    'components/user-profile.js',
    'images/team-photograph.jpg',
    'logo192.png',
    'deadbeef',
    'fonts/roboto-v30-latin-regular.woff2',
  ])('%s is not content-hashed', (key) => {
    expect(isContentHashed(key)).toBe(false);
  });
});
