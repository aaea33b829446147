// Bundles the built command line (dist/cli/main.js) into dist/tekamolo.js plus one chunk per command,
// after tsc. Why: unbundled, `tekamolo validate` reads and links ~250 small ES modules of zod, yaml and
// commander, which costs more than node's own start; one file each is about twice as quick
// (scripts/bench-startup.mjs). Only our code, zod, yaml and commander are inlined: every other package
// (the AWS SDK above all) stays an import from node_modules, loaded only by the commands that use it.
// The files sit directly in dist/, beside dist/version.js, so paths relative to import.meta.url hold.
// When bundling fails the build goes on and bin/tekamolo.js runs dist/cli/main.js unbundled.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
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

const BUNDLES = /^tekamolo(-.*)?\.(js|cjs|cache)$/;

function removeBundles() {
  for (const file of readdirSync(dist)) {
    if (BUNDLES.test(file)) rmSync(dist + file);
  }
}

// Node 20 has no code cache for ES modules, and compiling is most of what `tekamolo validate` spends
// before it reads the file. So commander (which every command loads) and validate (our config code, zod
// and yaml) are bundled once more as CommonJS, each with a V8 code cache that dist/cli/load-cached.js
// hands to vm.Script (validate measured 100 → 88 ms). Each cache is made after a run that calls what
// the CLI calls, so it holds those functions, not only the top level. Any failure leaves that part to
// node_modules/commander or the validate ES module chunk: slower, the same behaviour.
async function bundleCommonJs(build, { input, name, alias, exercise }) {
  const file = `${dist}tekamolo-${name}.cjs`;
  const cache = `${dist}tekamolo-${name}.cache`;
  try {
    await build({
      input,
      platform: 'node',
      resolve: { alias },
      external: (id) => id.startsWith('node:'),
      logLevel: 'warn',
      output: { file, format: 'cjs', minify: true, codeSplitting: false },
    });
    const { compileCommonJs, evaluateCommonJs } = await import(`${dist}cli/load-cached.js`);
    const script = compileCommonJs(file);
    await exercise(evaluateCommonJs(script, file));
    writeFileSync(cache, script.createCachedData());
  } catch (error) {
    rmSync(file, { force: true });
    rmSync(cache, { force: true });
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`warning: ${name} not bundled with a code cache (slower to start): ${message}\n`);
  }
}

async function quietly(work) {
  const write = process.stderr.write;
  process.stderr.write = () => true;
  try {
    return await work();
  } finally {
    process.stderr.write = write;
  }
}

const exerciseCommander = async ({ Command, Option }) => {
  const program = new Command('tekamolo')
    .version('0.0.0', '--version', 'version')
    .option('-c, --config <file>', 'config file', './tekamolo.yaml')
    .option('--json', 'json', false)
    .option('--no-color', 'no colours')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} });
  program
    .command('validate')
    .summary('check')
    .description('check')
    .addOption(new Option('--watch [seconds]', 'watch').argParser(Number).preset(5))
    .action(() => {});
  await program.parseAsync(['node', 'tekamolo', 'validate', '-c', 'tekamolo.yaml']);
  try {
    await program.parseAsync(['node', 'tekamolo', '--help']);
  } catch {}
};

const exerciseValidate = async ({ run }) => {
  const example = fileURLToPath(new URL('../config.example.yaml', import.meta.url));
  const globals = { config: example, json: false, yes: false, verbose: false, color: false };
  const code = await quietly(() => run(globals));
  if (code !== 0) throw new Error(`config.example.yaml did not validate (exit ${code})`);
};

// commander from tekamolo-commander.cjs and its cache when they load, else from node_modules.
const commanderModule = (names) => `import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadCachedCommonJs } from ${JSON.stringify(`${dist}cli/load-cached.js`)};
function load() {
  try {
    return loadCachedCommonJs(
      fileURLToPath(new URL('./tekamolo-commander.cjs', import.meta.url)),
      fileURLToPath(new URL('./tekamolo-commander.cache', import.meta.url)),
    );
  } catch {
    return createRequire(import.meta.url)('commander');
  }
}
const commander = load();
${names.map((n) => `export const ${n} = commander.${n};`).join('\n')}
`;

removeBundles();

try {
  const { build } = await import('rolldown');
  const require = createRequire(import.meta.url);
  const commanderNames = Object.keys(require('commander'));
  await bundleCommonJs(build, {
    input: require.resolve('commander'),
    name: 'commander',
    exercise: exerciseCommander,
  });
  await build({
    input: { tekamolo: `${dist}cli/main.js` },
    platform: 'node',
    resolve: { alias: { yaml: yamlEsm } },
    plugins: [
      {
        name: 'commander-code-cache',
        resolveId: (id) => (id === 'commander' ? '\0commander' : undefined),
        load: (id) => (id === '\0commander' ? commanderModule(commanderNames) : undefined),
      },
    ],
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
  await bundleCommonJs(build, {
    input: `${dist}cli/commands/validate.js`,
    name: 'validate',
    alias: { yaml: yamlEsm },
    exercise: exerciseValidate,
  });
} catch (error) {
  removeBundles();
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`warning: not bundled (the CLI runs unbundled, slower to start): ${message}\n`);
}
