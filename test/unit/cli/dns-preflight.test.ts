import { rm } from 'node:fs/promises';
import { GetHostedZoneCommand, ListHostedZonesByNameCommand, Route53Client } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isReadOnlyOperation } from '../../../src/aws/trace.js';
import { dnsPreflight } from '../../../src/cli/dns-preflight.js';
import { ExitCode, UserError } from '../../../src/errors.js';
import type { Delegation } from '../../../src/resources/route53/delegation.js';
import { type FakeEnv, fakeEnv } from '../../support/fake-resources.js';

/** The check `up` runs before its first change: the zone is read, public DNS asked, nothing changed. */
describe('dnsPreflight', () => {
  const route53 = mockClient(Route53Client);
  let env: FakeEnv;
  const asked: string[] = [];
  const lookup = (delegation: Delegation) => async (name: string) => {
    asked.push(name);
    return delegation;
  };

  beforeEach(async () => {
    vi.stubEnv('TEKAMOLO_SKIP_DNS_CHECK', undefined);
    route53.reset();
    asked.length = 0;
    route53.on(ListHostedZonesByNameCommand).resolves({
      HostedZones: [
        { Id: '/hostedzone/Z1', Name: 'example.com.', CallerReference: 'r', Config: { PrivateZone: false } },
      ],
    });
    route53.on(GetHostedZoneCommand).resolves({
      HostedZone: { Id: '/hostedzone/Z1', Name: 'example.com.', CallerReference: 'r' },
      DelegationSet: { NameServers: ['ns-1.awsdns-01.com', 'ns-2.awsdns-02.net'] },
    });
    env = await fakeEnv([]);
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    route53.reset();
    await rm(env.dir, { recursive: true, force: true });
  });

  it('a registrar pointing elsewhere stops with exit 2 after reads only', async () => {
    const run = dnsPreflight(env, {
      skip: false,
      lookup: lookup({ state: 'delegated', nameServers: ['ns1.registrar.example'] }),
    });
    await expect(run).rejects.toThrow(UserError);
    await expect(run).rejects.toMatchObject({ exitCode: ExitCode.badInput });
    expect(asked).toEqual(['example.com']);
    const operations = route53.calls().map((c) => c.args[0].constructor.name.replace(/Command$/, ''));
    expect(operations.length).toBeGreaterThan(0);
    expect(operations.filter((op) => !isReadOnlyOperation(op))).toEqual([]);
  });

  it('no answer from public DNS is a warning, and the run goes on', async () => {
    const warning = await dnsPreflight(env, {
      skip: false,
      lookup: lookup({ state: 'unknown', reason: 'ETIMEOUT' }),
    });
    expect(warning).toContain('could not check the public DNS delegation of example.com (ETIMEOUT)');
  });

  it('--skip-dns-check, or TEKAMOLO_SKIP_DNS_CHECK=1, asks neither AWS nor DNS', async () => {
    expect(await dnsPreflight(env, { skip: true, lookup: lookup({ state: 'undelegated' }) })).toBeUndefined();
    vi.stubEnv('TEKAMOLO_SKIP_DNS_CHECK', '1');
    try {
      expect(
        await dnsPreflight(env, { skip: false, lookup: lookup({ state: 'undelegated' }) }),
      ).toBeUndefined();
    } finally {
      vi.unstubAllEnvs();
    }
    expect(asked).toEqual([]);
    expect(route53.calls()).toHaveLength(0);
  });
});
