import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/**
 * A CommonJS bundle run through `vm.Script` with a V8 code cache made at build time
 * (scripts/bundle.mjs). Why: on Node 20 an ES module cannot use a code cache, and compiling the config
 * code (zod, yaml) is most of what `tekamolo validate` spends before it reads the file. A cache that V8
 * rejects (another V8 version or other flags) costs nothing: the source is then compiled as usual.
 * The cache is only ever read here, so a read-only install works.
 */

type Wrapper = (
  exports: object,
  require: NodeJS.Require,
  module: { exports: object },
  filename: string,
  dirname: string,
) => void;

/** The same wrapper compiles the bundle at build time and at run time: a cache holds for one source. */
export function compileCommonJs(file: string, cachedData?: Buffer): Script {
  const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`;
  return new Script(source, { filename: file, cachedData });
}

/** Runs a compiled bundle as a CommonJS module and returns its exports. */
export function evaluateCommonJs<T>(script: Script, file: string): T {
  const wrapper = script.runInThisContext() as Wrapper;
  const module = { exports: {} };
  wrapper(module.exports, createRequire(file), module, file, dirname(file));
  return module.exports as T;
}

/** Reads the bundle and its cache (a missing cache only means a normal compile); throws when the bundle is missing. */
export function loadCachedCommonJs<T>(file: string, cacheFile: string): T {
  let cache: Buffer | undefined;
  try {
    cache = readFileSync(cacheFile);
  } catch {
    cache = undefined;
  }
  return evaluateCommonJs<T>(compileCommonJs(file, cache), file);
}
