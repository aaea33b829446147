import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The built command line (`npm run build` first), as a user runs it: exit codes, where output goes,
 * the default config path, and that validating loads nothing of the AWS SDK.
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

describe('tekamolo validate (built CLI)', () => {
  let dir: string;
  beforeAll(async () => {
    if (!existsSync(join(root, 'dist/cli/commands/validate.js'))) {
      throw new Error('dist/ is missing: run `npm run build` before these tests');
    }
    dir = await mkdtemp(join(tmpdir(), 'tekamolo-cli-'));
    // Fails the process as soon as anything resolves a module of the AWS SDK.
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
      "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n",
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('says a good config is valid on stderr and exits 0', () => {
    const result = tekamolo(['validate', '-c', 'config.example.yaml']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('✓ config.example.yaml is valid (stack tekamolo, region eu-central-1)\n');
    expect(result.stdout).toBe('');
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

  it('with --json prints one JSON document on stdout', () => {
    const good = tekamolo(['--json', 'validate', '-c', 'config.example.yaml']);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout)).toEqual({
      valid: true,
      file: join(root, 'config.example.yaml'),
      issues: [],
      warnings: [],
    });
    const bad = tekamolo(['validate', '--json', '-c', 'test/fixtures/config/bad/min-above-max.yaml']);
    expect(bad.code).toBe(2);
    const document = JSON.parse(bad.stdout) as { valid: boolean; issues: { path: string; line: number }[] };
    expect(document.valid).toBe(false);
    expect(document.issues.map((i) => [i.path, i.line])).toEqual([['backend.scaling.min', 6]]);
  });

  it('reads ./tekamolo.yaml when no -c is given', async () => {
    const missing = tekamolo(['validate'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      `tekamolo.yaml  config file not found (looked for ${join(dir, 'tekamolo.yaml')})`,
    );
    await writeFile(join(dir, 'tekamolo.yaml'), 'stack: here\nregion: us-west-2\ndomain: example.org\n');
    const found = tekamolo(['validate'], { cwd: dir });
    expect(found.stderr).toBe('✓ tekamolo.yaml is valid (stack here, region us-west-2)\n');
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

  it('loads nothing of the AWS SDK for validate or --help', () => {
    const nodeArgs = ['--import', join(dir, 'no-aws-sdk.mjs')];
    // The guard itself works: importing an SDK client under it fails.
    const control = spawnSync(
      process.execPath,
      [...nodeArgs, '--input-type=module', '-e', "await import('@aws-sdk/client-sts')"],
      { cwd: root, encoding: 'utf8' },
    );
    expect(control.status).not.toBe(0);
    expect(control.stderr).toContain('AWS SDK loaded');

    const validate = tekamolo(['validate', '-c', 'config.example.yaml'], { nodeArgs });
    expect(validate.stderr).not.toContain('AWS SDK loaded');
    expect(validate.code).toBe(0);
    const help = tekamolo(['--help'], { nodeArgs });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('validate');
  });
  it('commander and validate load from CommonJS bundles that require nothing but node modules', async () => {
    for (const name of ['commander', 'validate']) {
      expect(existsSync(join(root, `dist/tekamolo-${name}.cache`))).toBe(true);
      const source = await readFile(join(root, `dist/tekamolo-${name}.cjs`), 'utf8');
      const required = [...source.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
      expect(required.length).toBeGreaterThan(0);
      expect(required.filter((id) => !id?.startsWith('node:'))).toEqual([]);
    }
  });

  it('a damaged code cache or a missing CommonJS bundle changes nothing a user sees', async () => {
    const copy = join(dir, 'install');
    await cp(join(root, 'bin'), join(copy, 'bin'), { recursive: true });
    await cp(join(root, 'dist'), join(copy, 'dist'), { recursive: true, preserveTimestamps: true });
    await cp(join(root, 'package.json'), join(copy, 'package.json'));
    await symlink(join(root, 'node_modules'), join(copy, 'node_modules'));
    const cases = [
      ['validate', '-c', 'config.example.yaml'],
      ['--json', 'validate', '-c', 'test/fixtures/config/bad/several-errors.yaml'],
      ['validate', '--nope'],
      ['--help'],
    ];
    const runAll = (bin: string) =>
      cases.map((args) => {
        const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
        return { code: r.status, stdout: r.stdout, stderr: r.stderr };
      });
    const expected = runAll(cli);
    expect(expected[0]?.code).toBe(0);
    expect(expected[1]?.code).toBe(2);
    const bundles = (await readdir(join(copy, 'dist'))).filter((f) => /^tekamolo-.*\.(cjs|cache)$/.test(f));
    expect(bundles).toHaveLength(4);
    for (const file of bundles.filter((f) => f.endsWith('.cache'))) {
      await writeFile(join(copy, 'dist', file), 'not a V8 code cache');
    }
    expect(runAll(join(copy, 'bin/tekamolo.js'))).toEqual(expected);
    for (const file of bundles) await rm(join(copy, 'dist', file));
    expect(runAll(join(copy, 'bin/tekamolo.js'))).toEqual(expected);
  });
});
