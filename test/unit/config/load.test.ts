import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/load.js';
import { UserError } from '../../../src/errors.js';

const GOOD = 'test/fixtures/config/good';

describe('loadConfig', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tekamolo-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fills every default into a minimal config and derives the names', async () => {
    const loaded = await loadConfig(`${GOOD}/minimal.yaml`);
    expect(loaded.file).toBe(resolve(GOOD, 'minimal.yaml'));
    expect(loaded.dir).toBe(resolve(GOOD));
    expect(loaded.config).toMatchObject({
      stack: 'demo',
      region: 'eu-central-1',
      domain: 'example.com',
      dns: { originName: 'origin' },
      frontend: { dir: './dist', routing: 'spa', invalidationThreshold: 15 },
      backend: {
        instanceType: 't3.small',
        port: 8080,
        healthCheckPath: '/api/health',
        scaling: { min: 1, desired: 2, max: 4, cpuTarget: 50 },
        elasticIp: true,
        sshCidrs: [],
      },
      cdn: { priceClass: 'PriceClass_100', apiPath: '/api/*', albOpenToInternet: false },
      waits: { pollSeconds: 10, certificateMinutes: 45, distributionMinutes: 30 },
      state: { path: '.tekamolo/state.json' },
      tags: {},
    });
    expect(loaded.config.aliases).toBeUndefined();
    expect(loaded.names.siteNames).toEqual(['example.com', 'www.example.com']);
    expect(loaded.names.originName).toBe('origin.example.com');
  });

  it('keeps every field of a full config as written', async () => {
    const { config, names } = await loadConfig(`${GOOD}/full.yaml`);
    expect(config.backend.scaling).toEqual({ min: 0, desired: 0, max: 1, cpuTarget: 70.5 });
    expect(config.backend.sshCidrs).toEqual(['0.0.0.0/0', '2001:db8::/32', '198.51.100.0/24']);
    expect(config.frontend.cacheControl).toHaveLength(2);
    expect(config.tags).toEqual({ team: 'web', 'cost-center': '4711', 'Owner Name': 'Jane Doe' });
    expect(config.dns.hostedZoneId).toBe('/hostedzone/Z0123456789ABC');
    expect(names.siteNames).toEqual(['shop.example.co.uk', 'www.shop.example.co.uk', 'm.shop.example.co.uk']);
    expect(names.originName).toBe('backend-origin.shop.example.co.uk');
    expect(names.bucket('123456789012')).toBe('shop.example-site');
  });

  it('resolves YAML anchors, aliases and merge keys', async () => {
    const { config } = await loadConfig(`${GOOD}/anchors.yaml`);
    expect(config.frontend.cacheControl).toEqual([
      { match: 'assets/**', value: 'public, max-age=31536000, immutable' },
      { match: 'fonts/**', value: 'public, max-age=31536000, immutable' },
    ]);
  });

  it('throws a ConfigError (a UserError, exit 2) whose message lists every issue', async () => {
    const file = join(dir, 'tekamolo.yaml');
    await writeFile(file, 'stack: Bad_Name\nregion: mars-1\ndomain: example.com\nbackend: { port: -1 }\n');
    const error = await loadConfig(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toBeInstanceOf(UserError);
    const configError = error as ConfigError;
    expect(configError.exitCode).toBe(2);
    expect(configError.issues.map((i) => [i.line, i.column, i.path])).toEqual([
      [1, 8, 'stack'],
      [2, 9, 'region'],
      [4, 18, 'backend.port'],
    ]);
    const lines = configError.message.split('\n');
    expect(lines[0]).toMatch(/tekamolo\.yaml has 3 problems:$/);
    expect(lines).toHaveLength(4);
    for (const issue of configError.issues) {
      expect(configError.message).toContain(
        `:${issue.line}:${issue.column}  ${issue.path}: ${issue.message}`,
      );
    }
    expect(configError.hint).toContain('tekamolo validate');
  });

  it('names a missing file and where it was looked for', async () => {
    const file = join(dir, 'absent.yaml');
    const error = (await loadConfig(file).catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.issues).toHaveLength(1);
    expect(error.message).toBe(`${file}  config file not found (looked for ${file})`);
  });

  it('reads relative files from the folder of the config, not the working folder', async () => {
    await writeFile(join(dir, 'boot.sh'), '#!/bin/sh\n');
    await writeFile(
      join(dir, 'tekamolo.yaml'),
      'stack: demo\nregion: eu-central-1\ndomain: example.com\nbackend:\n  userData: boot.sh\n',
    );
    const loaded = await loadConfig(join(dir, 'tekamolo.yaml'));
    expect(loaded.config.backend.userData).toBe('boot.sh');
  });

  it('refuses user data over the 16 KB EC2 limit', async () => {
    await writeFile(join(dir, 'big.sh'), 'x'.repeat(16 * 1024 + 1));
    await writeFile(
      join(dir, 'tekamolo.yaml'),
      'stack: demo\nregion: eu-central-1\ndomain: example.com\nbackend:\n  userData: big.sh\n',
    );
    const error = (await loadConfig(join(dir, 'tekamolo.yaml')).catch((e: unknown) => e)) as ConfigError;
    expect(error.issues.map((i) => [i.line, i.column, i.message])).toEqual([
      [5, 13, 'found "big.sh" of 16385 bytes, expected at most 16384 bytes (the EC2 user data limit)'],
    ]);
  });

  it('points a missing field of a flow mapping at that mapping', async () => {
    await writeFile(
      join(dir, 'tekamolo.yaml'),
      'stack: demo\nregion: eu-central-1\ndomain: example.com\nfrontend: { cacheControl: [{ match: "*" }] }\n',
    );
    const error = (await loadConfig(join(dir, 'tekamolo.yaml')).catch((e: unknown) => e)) as ConfigError;
    expect(error.issues.map((i) => [i.line, i.column, i.path])).toEqual([
      [4, 28, 'frontend.cacheControl[0].value'],
    ]);
  });
});
