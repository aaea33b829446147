import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateDocument } from '../../../src/output/json-schema.js';
import { JSON_VERSION } from '../../../src/output/message.js';
import { runCli } from '../../support/e2e.js';
import { expectDocument } from '../../support/json-contract.js';

/**
 * The built command line (`npm run build` first), as a user runs it: exit codes, where output goes,
 * the bundle, and that validating loads nothing of the AWS SDK. What does not need a process of its
 * own (the JSON document, the default config path, command names) runs in this process (runCli), through
 * the binary's own entry.
 */
const root = resolve('.');
const cli = join(root, 'bin/tekamolo.js');

function tekamolo(args: string[], options: { cwd?: string; nodeArgs?: string[] } = {}) {
  const result = spawnSync(process.execPath, [...(options.nodeArgs ?? []), cli, ...args], {
    cwd: options.cwd ?? root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The command line run in this process, as the binary runs it. */
function inProcess(args: string[], cwd = root) {
  return runCli(args, { env: { ...process.env, NO_COLOR: '1' }, cwd });
}

describe('tekamolo validate (built CLI)', () => {
  let dir: string;
  beforeAll(async () => {
    if (!existsSync(join(root, 'dist/cli/commands/validate.js'))) {
      throw new Error('dist/ is missing: run `npm run build` before these tests');
    }
    dir = await mkdtemp(join(tmpdir(), 'tekamolo-cli-'));
    // Fails the process as soon as anything resolves a module of the AWS SDK: ES modules through a
    // resolve hook, CommonJS (require, createRequire) through the resolver every require goes through.
    await writeFile(
      join(dir, 'hooks.mjs'),
      'export async function resolve(specifier, context, next) {\n' +
        '  const result = await next(specifier, context);\n' +
        // biome-ignore lint/suspicious/noTemplateCurlyInString: this is the source of a loader module
        '  if (/node_modules\\/@(aws-sdk|smithy)\\//.test(result.url)) throw new Error(`AWS SDK loaded: ${result.url}`);\n' +
        '  return result;\n}\n',
    );
    await writeFile(
      join(dir, 'no-aws-sdk.mjs'),
      "import Module, { register } from 'node:module';\n" +
        "register('./hooks.mjs', import.meta.url);\n" +
        'const resolveFilename = Module._resolveFilename;\n' +
        'Module._resolveFilename = function (...args) {\n' +
        '  const file = resolveFilename.apply(this, args);\n' +
        // biome-ignore lint/suspicious/noTemplateCurlyInString: this is the source of a preloaded module
        '  if (/node_modules\\/@(aws-sdk|smithy)\\//.test(file)) throw new Error(`AWS SDK loaded: ${file}`);\n' +
        '  return file;\n};\n',
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('says a good config is valid on stdout, with nothing on stderr, and exits 0', () => {
    const result = tekamolo(['validate', '-c', 'config.example.yaml']);
    expect(result.code).toBe(0);
    // The result goes to stdout, as in every command.
    expect(result.stdout).toBe('✓ config.example.yaml is valid (stack tekamolo, region eu-central-1)\n');
    expect(result.stderr).toBe('');
  });

  it('lists every issue of a bad config and exits 2', () => {
    const file = 'test/fixtures/config/bad/several-errors.yaml';
    const result = tekamolo(['validate', '--config', file]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatch(new RegExp(`^${file}:1:8  stack: found "Demo"`));
    expect(lines[7]).toBe(`✗ ${file}: 7 problems`);
  });

  it('with --json prints one JSON document on stdout', async () => {
    const good = await inProcess(['--json', 'validate', '-c', 'config.example.yaml']);
    expect(good.code).toBe(0);
    expect(expectDocument(good.stdout, validateDocument)).toEqual({
      version: JSON_VERSION,
      command: 'validate',
      ok: true,
      file: join(root, 'config.example.yaml'),
      issues: [],
      warnings: [],
      awsCalls: { total: 0, changing: 0 },
    });
    const bad = await inProcess(['validate', '--json', '-c', 'test/fixtures/config/bad/min-above-max.yaml']);
    expect(bad.code).toBe(2);
    const document = expectDocument(bad.stdout, validateDocument);
    expect(document.ok).toBe(false);
    expect(document.issues.map((i) => [i.path, i.line])).toEqual([['backend.scaling.min', 6]]);
  });

  it('reads ./tekamolo.yaml when no -c is given', async () => {
    const missing = await inProcess(['validate'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      `tekamolo.yaml  config file not found (looked for ${join(dir, 'tekamolo.yaml')})`,
    );
    await writeFile(join(dir, 'tekamolo.yaml'), 'stack: here\nregion: us-west-2\ndomain: example.org\n');
    const found = await inProcess(['validate'], dir);
    expect(found.stdout).toBe('✓ tekamolo.yaml is valid (stack here, region us-west-2)\n');
    expect(found.code).toBe(0);
  });

  it('the bundle (dist/tekamolo.js) behaves as the unbundled build', () => {
    expect(existsSync(join(root, 'dist/tekamolo.js'))).toBe(true);
    const args = ['validate', '--json', '-c', 'test/fixtures/config/bad/several-errors.yaml'];
    const run = (entry: string) =>
      spawnSync(process.execPath, [entry, ...args], { cwd: root, encoding: 'utf8' });
    const bundled = run('dist/tekamolo.js');
    const unbundled = run('dist/cli/main.js');
    expect(bundled.status).toBe(2);
    expect(bundled.status).toBe(unbundled.status);
    expect(bundled.stdout).toBe(unbundled.stdout);
    expect(bundled.stderr).toBe(unbundled.stderr);
  });

  it('knows deploy as up, and never answers a typo with destroy', async () => {
    const help = await inProcess(['deploy', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: tekamolo up\|deploy /);
    const typo = await inProcess(['depoly']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown command 'depoly'\n(Did you mean deploy?)");
    for (const word of ['destory', 'destroi', 'deploy-it']) {
      const result = await inProcess([word]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`unknown command '${word}'`);
      expect(result.stderr).not.toContain('destroy');
    }
  });

  it('loads nothing of the AWS SDK for validate, init, completion or --help', () => {
    const nodeArgs = ['--import', join(dir, 'no-aws-sdk.mjs')];
    // The guard itself works, for both ways a module can be loaded.
    for (const load of [
      "await import('@aws-sdk/client-sts')",
      "createRequire(process.cwd() + '/')('@aws-sdk/client-sts')",
    ]) {
      const control = spawnSync(
        process.execPath,
        [...nodeArgs, '--input-type=module', '-e', `import { createRequire } from 'node:module'; ${load}`],
        { cwd: root, encoding: 'utf8' },
      );
      expect(control.status).not.toBe(0);
      expect(control.stderr).toContain('AWS SDK loaded');
    }

    const validate = tekamolo(['validate', '-c', 'config.example.yaml'], { nodeArgs });
    expect(validate.stderr).not.toContain('AWS SDK loaded');
    expect(validate.code).toBe(0);
    const help = tekamolo(['--help'], { nodeArgs });
    expect(help.stderr).not.toContain('AWS SDK loaded');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('validate');
    const init = tekamolo(
      ['init', '-c', join(dir, 'init.yaml'), '--domain', 'example.org', '--region', 'eu-central-1'],
      { nodeArgs },
    );
    expect(init.stderr).not.toContain('AWS SDK loaded');
    expect(init.code).toBe(0);
    const completion = tekamolo(['completion', 'bash'], { nodeArgs });
    expect(completion.stderr).not.toContain('AWS SDK loaded');
    expect(completion.code).toBe(0);
  });

  it('holds no AWS SDK code in what validate and --help load from the bundle', async () => {
    // What `tekamolo validate` loads: the entry, the chunks it imports statically, and the validate
    // chunk with its own static imports. SDK code inlined there (a changed bundler rule) or imported
    // from there (an SDK client used by config code) is found by its package names.
    const entry = await readFile(join(root, 'dist/tekamolo.js'), 'utf8');
    const validateChunk = /import\(["`]\.\/(tekamolo-validate-[^"`]+\.js)["`]\)/.exec(entry)?.[1];
    expect(validateChunk).toBeDefined();
    const seen = new Map<string, string>();
    const visit = async (file: string) => {
      if (seen.has(file)) return;
      const source = await readFile(join(root, 'dist', file), 'utf8');
      seen.set(file, source);
      for (const m of source.matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) await visit(m[1] as string);
    };
    await visit('tekamolo.js');
    await visit(validateChunk as string);
    expect(seen.size).toBeGreaterThan(2);
    for (const [file, source] of seen) {
      expect(source.match(/@aws-sdk\/|@smithy\/|client-sts|SignatureV4/g), file).toBeNull();
    }
  });

  it('loads the AWS SDK with require, not import: Node 20 would compile and lex every package again', async () => {
    const chunks = (await readdir(join(root, 'dist'))).filter((f) => /^tekamolo.*\.js$/.test(f));
    const sources = (await Promise.all(chunks.map((f) => readFile(join(root, 'dist', f), 'utf8')))).join(
      '\n',
    );
    expect(sources).not.toMatch(/(?:from|import)\s*["`]@aws-sdk\//);
    expect(sources).toMatch(/\(["`]@aws-sdk\/client-s3["`]\)/);
  });

  it('is one ES module bundle: no CommonJS copies, no code caches of its own', async () => {
    const files = await readdir(join(root, 'dist'));
    expect(files).toContain('tekamolo.js');
    expect(files.filter((f) => /\.(cjs|cache)$/.test(f))).toEqual([]);
    const entry = await readFile(join(root, 'dist/tekamolo.js'), 'utf8');
    expect(entry).not.toMatch(/node:vm|cachedData/);
  });
});
