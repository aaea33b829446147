import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, checkConfigFile, loadConfig } from '../../../src/config/load.js';
import { ExitCode } from '../../../src/errors.js';

const BASE = [
  'stack: acme',
  'region: eu-central-1',
  'domain: example.com',
  'backend:',
  '  instanceType: t3.small',
  '  scaling: { min: 1, desired: 2, max: 4 }',
  'tags: { team: web }',
];

describe('stages', () => {
  let dir: string;
  const write = async (lines: string[]) => {
    const file = join(dir, 'tekamolo.yaml');
    await writeFile(file, `${lines.join('\n')}\n`);
    return file;
  };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tekamolo-stages-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const STAGES = [
    ...BASE,
    'stages:',
    '  staging:',
    '    domain: staging.example.com',
    '    backend: { scaling: { min: 1, desired: 1, max: 1 } }',
    '    tags: { env: staging }',
    '  production:',
    '    backend: { instanceType: t3.large }',
  ];

  it('a stage overrides fields (mappings merged, values replaced) and is part of the stack name and names', async () => {
    const file = await write(STAGES);
    const staging = await loadConfig(file, 'staging');
    expect(staging.config).toMatchObject({
      stack: 'acme-staging',
      domain: 'staging.example.com',
      backend: { instanceType: 't3.small', scaling: { min: 1, desired: 1, max: 1 } },
      tags: { team: 'web', env: 'staging' },
      state: { path: '.tekamolo/staging/state.json' },
    });
    expect(staging.stage).toEqual({ name: 'staging', stack: 'acme' });
    expect(staging.names.loadBalancer).toBe('acme-staging-alb');
    expect(staging.names.distributionComment).toBe('tekamolo:acme-staging');
    const production = await loadConfig(file, 'production');
    expect(production.config).toMatchObject({
      stack: 'acme-production',
      domain: 'example.com',
      backend: { instanceType: 't3.large', scaling: { min: 1, desired: 2, max: 4 } },
    });
    expect(production.names.loadBalancer).not.toBe(staging.names.loadBalancer);
  });

  it('without a stage, a config with stages is the base config as written', async () => {
    const loaded = await loadConfig(await write(STAGES));
    expect(loaded.config.stack).toBe('acme');
    expect(loaded.config.state.path).toBe('.tekamolo/state.json');
    expect(loaded.stage).toBeUndefined();
    expect(loaded.config).not.toHaveProperty('stages');
  });

  it('a bad value or an unknown key in a stage is reported at its own line, with or without --stage', async () => {
    const file = await write([
      ...BASE,
      'stages:',
      '  staging:',
      '    backend:',
      '      instanceType: huge',
      '    domian: x.example.com',
    ]);
    for (const stage of ['staging', undefined]) {
      const check = await checkConfigFile(file, stage);
      expect(check.config).toBeUndefined();
      expect(check.issues.map((i) => [i.line, i.path])).toEqual([
        [11, 'stages.staging.backend.instanceType'],
        [12, 'stages.staging.domian'],
      ]);
    }
  });

  it('an unknown stage, or a stage that sets the stack name, is bad input (exit 2)', async () => {
    const file = await write(STAGES);
    const unknown = await loadConfig(file, 'prod').catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(ConfigError);
    expect((unknown as ConfigError).exitCode).toBe(ExitCode.badInput);
    expect((unknown as Error).message).toContain('unknown stage "prod"');
    expect((unknown as Error).message).toContain('the config defines staging, production');

    const none = await checkConfigFile(await write(BASE), 'staging');
    expect(none.issues.map((i) => i.message)).toEqual([
      expect.stringContaining('the config defines no stages'),
    ]);

    const renamed = await checkConfigFile(await write([...BASE, 'stages:', '  qa:', '    stack: other']));
    expect(renamed.issues.map((i) => i.path)).toEqual(['stages.qa.stack']);
  });

  it('a stage name outside the rule is refused', async () => {
    const check = await checkConfigFile(await write([...BASE, 'stages:', '  Staging_1: {}']));
    expect(check.issues.map((i) => i.path)).toContain('stages.Staging_1');
  });
});
