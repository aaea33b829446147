import picomatch from 'picomatch';

/**
 * A glob of the config (`frontend.cacheControl`, `frontend.include`, `frontend.exclude`) as a test on
 * keys. A glob without `/` matches the file name in any folder (`*.html`); one with `/` matches the
 * whole key (`assets/**`). Keys have no leading slash; a leading slash in a glob is ignored so that
 * `/assets/**` works as users write it, and a trailing one means everything under that folder.
 */
export function keyGlob(glob: string): (key: string) => boolean {
  let pattern = glob.replace(/^\/+/, '');
  if (pattern.endsWith('/')) pattern += '**';
  return picomatch(pattern, { dot: true, basename: !pattern.includes('/') });
}

/** Whether any of the globs matches the key. */
export function anyGlob(globs: readonly string[]): (key: string) => boolean {
  const tests = globs.map(keyGlob);
  return (key) => tests.some((test) => test(key));
}
