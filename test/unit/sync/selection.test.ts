import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkConfigFile } from '../../../src/config/load.js';
import { UserError } from '../../../src/errors.js';
import { scanFolder } from '../../../src/sync/scan.js';
import { selection } from '../../../src/sync/selection.js';

describe('selection', () => {
  it('leaves dotfiles, dot-folders and secret-looking names out by default, .well-known/ aside', () => {
    const rules = selection({});
    for (const key of ['.env', '.env.local', 'a/.DS_Store', '.git/HEAD', 'keys/server.pem', 'id_rsa.pub'])
      expect(rules.file(key), key).toMatchObject({ publish: false });
    for (const key of ['index.html', '.well-known/security.txt', 'a/b.env.js', 'envelope.svg'])
      expect(rules.file(key), key).toEqual({ publish: true, included: false });
    expect(rules.skipsFolder('.git')).toMatch(/dot-folder/);
    expect(rules.skipsFolder('.well-known')).toBeUndefined();
  });

  it('include publishes what is private by default; exclude wins over include', () => {
    const rules = selection({ include: ['.htaccess', '.env*'], exclude: ['.env.local', 'drafts/', '*.map'] });
    expect(rules.file('.htaccess')).toEqual({ publish: true, included: true });
    expect(rules.file('.env')).toEqual({ publish: true, included: true });
    expect(rules.file('.env.local')).toEqual({ publish: false, reason: 'frontend.exclude' });
    expect(rules.file('assets/app.js.map')).toEqual({ publish: false, reason: 'frontend.exclude' });
    expect(rules.skipsFolder('drafts')).toBe('frontend.exclude');
    // With include globs a dot-folder is read: a file inside may be wanted.
    expect(rules.skipsFolder('.git')).toBeUndefined();
    expect(rules.file('.git/HEAD')).toMatchObject({ publish: false });
  });
});

describe('scanFolder with publishing rules', () => {
  let base: string;
  let dist: string;
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'tekamolo-select-'));
    dist = join(base, 'site');
    await mkdir(join(dist, '.git'), { recursive: true });
    await writeFile(join(dist, 'index.html'), 'x');
    await writeFile(join(dist, '.git', 'HEAD'), 'ref');
    await writeFile(join(dist, '.env'), 'SECRET=1');
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('lists every path left out with its reason, and included secrets', async () => {
    await writeFile(join(dist, 'user-data.sh'), 'echo');
    const result = await scanFolder(dist, {
      include: ['.env'],
      privatePaths: [{ path: join(dist, 'user-data.sh'), what: 'the user-data file' }],
    });
    expect(result.files.map((f) => f.key)).toEqual(['.env', 'index.html']);
    expect(result.includedSecrets).toEqual(['.env']);
    expect(result.excluded).toEqual([
      { key: '.git/HEAD', reason: 'dotfile (frontend.include publishes it)' },
      { key: 'user-data.sh', reason: 'the user-data file' },
    ]);
  });

  it('leaves out the state file with its lock and temporary files, and a state folder inside', async () => {
    await writeFile(join(dist, 'state.json'), '{}');
    await writeFile(join(dist, 'state.json.lock'), '{}');
    await mkdir(join(dist, 'ops'));
    await writeFile(join(dist, 'ops', 'cache'), '{}');
    const result = await scanFolder(dist, {
      privatePaths: [
        { path: join(dist, 'state.json'), what: 'the state file', siblings: true },
        { path: join(dist, 'ops'), what: 'the state folder' },
        // A folder around the build folder hides nothing.
        { path: base, what: 'the state folder' },
      ],
    });
    expect(result.files.map((f) => f.key)).toEqual(['index.html']);
    expect(result.excluded.map((e) => `${e.key} ${e.reason}`)).toEqual([
      '.env dotfile (frontend.include publishes it)',
      '.git/ dot-folder (frontend.include publishes it)',
      'ops/ the state folder',
      'state.json the state file',
      'state.json.lock the state file',
    ]);
  });

  it('refuses a folder that holds the config file unless frontend.exclude names it', async () => {
    const config = join(dist, 'tekamolo.yaml');
    await writeFile(config, 'stack: x');
    const refused = await scanFolder(dist, { configFile: config }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as UserError).message).toContain('contains the config file tekamolo.yaml');
    const result = await scanFolder(dist, {
      configFile: config,
      exclude: ['tekamolo.yaml'],
      privatePaths: [{ path: config, what: 'the config file' }],
    });
    expect(result.files.map((f) => f.key)).toEqual(['index.html']);
  });
});

describe('config warnings', () => {
  it('warns, with the line, about an include glob that publishes secret-looking files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tekamolo-warn-'));
    const file = join(dir, 'tekamolo.yaml');
    await writeFile(
      file,
      'stack: s\nregion: eu-central-1\ndomain: example.com\nfrontend:\n  include:\n    - .htaccess\n    - "*.pem"\n',
    );
    const check = await checkConfigFile(file);
    await rm(dir, { recursive: true, force: true });
    expect(check.issues).toEqual([]);
    expect(check.warnings).toMatchObject([
      {
        line: 7,
        path: 'frontend.include[1]',
        message: expect.stringContaining('"*.pem" publishes secret-looking files such as server.pem'),
      },
    ]);
  });
});
