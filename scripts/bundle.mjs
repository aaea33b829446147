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

// The AWS SDK's packages are CommonJS without an `exports` map. Imported from an ES module, Node 20
// first compiles each one to tell its format and then lexes it for its export names, on top of the
// CommonJS load itself: about 0.3 s of CPU for the clients a sync loads (S3, CloudFront, STS,
// lib-storage). The bundle therefore `require`s them (through createRequire, which rolldown adds): the
// very same modules, loaded once, by the CommonJS loader alone.
const SDK = /^@aws-sdk\//;
const REQUIRED = '\0required:';
const requireSdk = {
  name: 'require-aws-sdk',
  resolveId(id, importer) {
    if (!SDK.test(id)) return undefined;
    return importer?.startsWith(REQUIRED) ? { id, external: true } : REQUIRED + id;
  },
  load(id) {
    if (!id.startsWith(REQUIRED)) return undefined;
    return {
      code: `module.exports = require(${JSON.stringify(id.slice(REQUIRED.length))});`,
      moduleType: 'js',
    };
  },
};

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
    external: (id) => !id.startsWith('.') && !id.startsWith('/') && !INLINE.test(id) && !SDK.test(id),
    plugins: [requireSdk],
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
