import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initDocument } from '../../../src/output/json-schema.js';
import { expectDocument } from '../../support/json-contract.js';

/** `tekamolo init` as a user runs it, without a terminal (stdin is not one): flags only. */
const cli = resolve('bin/tekamolo.js');

function tekamolo(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('tekamolo init (built CLI)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tekamolo-init-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    [['--domain', 'example.org', '--region', 'eu-central-1'], 'tekamolo.yaml', 'example', 'eu-central-1'],
    [
      ['--domain', 'shop.example.co.uk', '--region', 'us-east-1', '--stack', 'shop-prod'],
      'tekamolo.yaml',
      'shop-prod',
      'us-east-1',
    ],
    [
      ['-c', 'deploy/site.yaml', '--domain', 'my-site.dev', '--region', 'ap-southeast-2'],
      'deploy/site.yaml',
      'my-site',
      'ap-southeast-2',
    ],
  ])('writes a config that validate accepts: %j', (args, file, stack, region) => {
    if (file.includes('/')) spawnSync('mkdir', ['-p', join(dir, 'deploy')]);
    const init = tekamolo(['init', ...args], dir);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    expect(init.stdout).toContain(`✓ wrote ${file} (stack ${stack}, region ${region}`);
    const validate = tekamolo(['validate', '-c', file], dir);
    expect(validate.stdout).toBe(`✓ ${file} is valid (stack ${stack}, region ${region})\n`);
    expect(validate.code).toBe(0);
    // The schema path editors follow is the package's own, from where the file is.
    const schema = /\$schema=(\S+)/.exec(readFileSync(join(dir, file), 'utf8'))?.[1] ?? '';
    expect(existsSync(resolve(dir, file, '..', schema))).toBe(true);
  });

  it('with --json prints the init document', () => {
    const init = tekamolo(['--json', 'init', '--domain', 'example.org', '--region', 'eu-west-1'], dir);
    expect(init.code).toBe(0);
    expect(expectDocument(init.stdout, initDocument)).toMatchObject({
      command: 'init',
      ok: true,
      file: join(dir, 'tekamolo.yaml'),
      stack: 'example',
    });
  });

  it('never overwrites a file: exit 2, naming it', () => {
    writeFileSync(join(dir, 'tekamolo.yaml'), 'mine\n');
    const init = tekamolo(['init', '--domain', 'example.org', '--region', 'eu-central-1'], dir);
    expect(init.code).toBe(2);
    expect(init.stderr).toContain('tekamolo.yaml exists already');
    expect(readFileSync(join(dir, 'tekamolo.yaml'), 'utf8')).toBe('mine\n');
  });

  it('refuses a bad value, naming the flag, and writes nothing', () => {
    const domain = tekamolo(['init', '--domain', 'Not_A_Domain', '--region', 'eu-central-1'], dir);
    expect(domain.code).toBe(2);
    expect(domain.stderr).toMatch(/^error: --domain: found "Not_A_Domain", expected a domain name/);
    expect(domain.stderr.match(/--domain:/g)).toHaveLength(1);
    const region = tekamolo(['init', '--domain', 'example.org', '--region', 'moon-1'], dir);
    expect(region.code).toBe(2);
    expect(region.stderr).toContain('--region: found "moon-1"');
    const stack = tekamolo(
      ['init', '--domain', 'example.org', '--region', 'eu-central-1', '--stack', 'No'],
      dir,
    );
    expect(stack.code).toBe(2);
    expect(stack.stderr).toContain('--stack: found "No"');
    expect(existsSync(join(dir, 'tekamolo.yaml'))).toBe(false);
  });

  it('without a terminal needs the flags, and names the missing ones', () => {
    const none = tekamolo(['init'], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('init needs --domain and --region (no terminal to ask on)');
    const noRegion = tekamolo(['init', '--domain', 'example.org'], dir);
    expect(noRegion.code).toBe(2);
    expect(noRegion.stderr).toContain('init needs --region ');
    expect(existsSync(join(dir, 'tekamolo.yaml'))).toBe(false);
  });

  it('says which folder it cannot write in', () => {
    const init = tekamolo(
      ['init', '-c', 'missing/tekamolo.yaml', '--domain', 'example.org', '--region', 'eu-central-1'],
      dir,
    );
    expect(init.code).toBe(2);
    expect(init.stderr).toContain(
      `cannot write the config file ${join(dir, 'missing/tekamolo.yaml')}: no such file or folder`,
    );
  });
});
