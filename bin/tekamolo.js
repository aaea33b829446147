#!/usr/bin/env node
// dist/tekamolo.js is the bundled command line (scripts/bundle.mjs), quicker to start; dist/cli/main.js
// is the same code as tsc wrote it. A bundle older than tsc's output is stale (a build stopped before
// bundling), so the unbundled code runs then.
import { statSync } from 'node:fs';
import module from 'node:module';

// Node's own on-disk compile cache (Node ≥ 22.1; absent on Node 20, where nothing changes). It keeps
// its files in the system's temporary folder, checks them against the source and ignores a bad one.
module.enableCompileCache?.();

const bundle = new URL('../dist/tekamolo.js', import.meta.url);
const main = new URL('../dist/cli/main.js', import.meta.url);
const bundled = statSync(bundle, { throwIfNoEntry: false });
const built = statSync(main, { throwIfNoEntry: false });
await import((bundled && (!built || bundled.mtimeMs >= built.mtimeMs) ? bundle : main).href);
