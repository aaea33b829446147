// Bundles the built command line (dist/cli/main.js) into dist/tekamolo.js plus one chunk per command,
// after tsc. Why: unbundled, `tekamolo validate` reads and links ~250 small ES modules of zod, yaml and
// commander, which costs more than node's own start; one file each is about twice as quick
// (scripts/bench-startup.mjs). Only our code, zod, yaml and commander are inlined: every other package
// (the AWS SDK above all) stays an import from node_modules, loaded only by the commands that use it.
// The files sit directly in dist/, beside dist/version.js, so paths relative to import.meta.url hold.
// When bundling fails the build goes on and bin/tekamolo.js runs dist/cli/main.js unbundled.
import { readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const INLINE = /^(zod|yaml|commander)(\/|$)/;
// yaml's "node" export is CommonJS, which a bundle must evaluate whole and eagerly; its ES module build
// (the "default" export, the same code) is tree-shaken and measured 2.5× cheaper to load.
const yamlEsm = join(
  dirname(createRequire(import.meta.url).resolve('yaml/package.json')),
  'browser/index.js',
);

// .cjs and .cache: what builds before the single ES module bundle left beside it.
const BUNDLES = /^tekamolo(-.*)?\.(js|cjs|cache)$/;

function removeBundles() {
  for (const file of readdirSync(dist)) {
    if (BUNDLES.test(file)) rmSync(dist + file);
  }
}

removeBundles();

try {
  const { build } = await import('rolldown');
  await build({
    input: { tekamolo: `${dist}cli/main.js` },
    platform: 'node',
    resolve: { alias: { yaml: yamlEsm } },
    external: (id) => !id.startsWith('.') && !id.startsWith('/') && !INLINE.test(id),
    logLevel: 'warn',
    output: {
      dir: dist,
      format: 'esm',
      entryFileNames: '[name].js',
      chunkFileNames: 'tekamolo-[name]-[hash].js',
      minify: true,
    },
  });
} catch (error) {
  removeBundles();
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`warning: not bundled (the CLI runs unbundled, slower to start): ${message}\n`);
}
