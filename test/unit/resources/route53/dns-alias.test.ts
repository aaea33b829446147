import { Route53Client } from '@aws-sdk/client-route-53';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UNKNOWN, unknown } from '../../../../src/engine/contract.js';
import { dnsAlias } from '../../../../src/resources/route53/dns-alias.js';
import { testContext } from '../../../support/context.js';
import { type FakeZone, fakeZone, throttling } from '../../../support/fake-route53.js';

const DISTRIBUTION = {
  id: 'E1',
  arn: 'arn:aws:cloudfront::123456789012:distribution/E1',
  domainName: 'd111.cloudfront.net',
};
const outputs = {
  zone: { zoneId: 'ZONE1', name: 'example.com', nameServers: [] },
  distribution: DISTRIBUTION,
};

function alias(name: string, type: 'A' | 'AAAA', target: string) {
  return {
    Name: `${name}.`,
    Type: type,
    AliasTarget: { DNSName: `${target}.`, HostedZoneId: 'Z2FDTNDATAQYW2', EvaluateTargetHealth: false },
  };
}

describe('dns alias', () => {
  let route53: AwsClientStub<Route53Client>;
  let zone: FakeZone;

  beforeEach(() => {
    route53 = mockClient(Route53Client);
    zone = fakeZone(route53);
  });
  afterEach(() => {
    route53.reset();
    route53.restore();
  });

  const ctxWith = (
    opts: { saved?: Record<string, unknown>; yes?: boolean; confirm?: boolean; domainName?: string } = {},
  ) =>
    testContext({
      key: 'dnsAlias',
      outputs: {
        ...outputs,
        distribution: { ...DISTRIBUTION, domainName: opts.domainName ?? DISTRIBUTION.domainName },
      },
      saved: opts.saved ?? {},
      options: { yes: opts.yes ?? false },
      ...(opts.confirm === undefined ? {} : { confirm: opts.confirm }),
    });

  it('writes A and AAAA aliases for every site name to CloudFront in one batch', async () => {
    const ctx = ctxWith();
    await dnsAlias.create(ctx, await dnsAlias.desired(ctx));
    expect(zone.batches).toHaveLength(1);
    expect(
      zone.batches[0]?.map((c) => `${c.Action} ${c.ResourceRecordSet?.Name} ${c.ResourceRecordSet?.Type}`),
    ).toEqual([
      'UPSERT example.com A',
      'UPSERT example.com AAAA',
      'UPSERT www.example.com A',
      'UPSERT www.example.com AAAA',
    ]);
    expect(zone.batches[0]?.[0]?.ResourceRecordSet?.AliasTarget).toEqual({
      DNSName: 'd111.cloudfront.net',
      HostedZoneId: 'Z2FDTNDATAQYW2',
      EvaluateTargetHealth: false,
    });
    const found = await dnsAlias.find(ctxWith());
    expect(found?.foreign).toBeUndefined();
    expect(dnsAlias.diff(await dnsAlias.desired(ctx), found!)).toEqual([]);
    expect(dnsAlias.outputs(found!)).toEqual({ names: ['example.com', 'www.example.com'] });
  });

  it('before the distribution exists the targets are unknown: plan shows them, create writes nothing', async () => {
    const ctx = testContext({ key: 'dnsAlias', outputs: { ...outputs, distribution: unknown } });
    const desired = await dnsAlias.desired(ctx);
    expect(dnsAlias.diff(desired, { id: 'x', zoneId: 'ZONE1', names: [], records: [] })).toContainEqual(
      expect.objectContaining({ field: 'example.com A', from: 'missing', to: `A alias ${UNKNOWN}` }),
    );
    await expect(dnsAlias.create(ctx, desired)).rejects.toThrow(/not known yet/);
    expect(zone.batches).toEqual([]);
  });

  it('a record pointing elsewhere is foreign and the takeover is refused without --yes', async () => {
    zone.sets.push(alias('www.example.com', 'A', 'd999.cloudfront.net'));
    const found = await dnsAlias.find(ctxWith());
    expect(found?.foreign).toBe('points elsewhere: www.example.com A alias d999.cloudfront.net');
    const desired = await dnsAlias.desired(ctxWith());
    const changes = dnsAlias.diff(desired, found!);
    expect(changes).toContainEqual(
      expect.objectContaining({ field: 'www.example.com A', from: 'A alias d999.cloudfront.net' }),
    );

    for (const call of [
      () => dnsAlias.create(ctxWith(), desired),
      () => dnsAlias.update(ctxWith(), desired, found!, changes),
    ]) {
      await expect(call()).rejects.toMatchObject({
        name: 'UserError',
        message: expect.stringContaining('www.example.com A alias d999.cloudfront.net'),
        hint: expect.stringContaining('--yes'),
      });
    }
    expect(zone.batches).toHaveLength(0);

    await dnsAlias.update(ctxWith({ yes: true }), desired, found!, changes);
    expect((await dnsAlias.find(ctxWith()))?.foreign).toBeUndefined();
  });

  it('a CNAME at www is foreign and taken over by deleting it in the same batch', async () => {
    zone.sets.push({
      Name: 'www.example.com.',
      Type: 'CNAME',
      TTL: 300,
      ResourceRecords: [{ Value: 'example.com' }],
    });
    const found = await dnsAlias.find(ctxWith());
    expect(found?.foreign).toContain('www.example.com CNAME example.com');
    await dnsAlias.create(ctxWith({ confirm: true }), await dnsAlias.desired(ctxWith()));
    expect(
      zone.batches[0]?.map((c) => `${c.Action} ${c.ResourceRecordSet?.Name} ${c.ResourceRecordSet?.Type}`),
    ).toEqual([
      'DELETE www.example.com. CNAME',
      'UPSERT example.com A',
      'UPSERT example.com AAAA',
      'UPSERT www.example.com A',
      'UPSERT www.example.com AAAA',
    ]);
  });

  it('records still on the previous distribution (state) are ours and updated without asking', async () => {
    for (const name of ['example.com', 'www.example.com']) {
      for (const type of ['A', 'AAAA'] as const) zone.sets.push(alias(name, type, 'd-old.cloudfront.net'));
    }
    const ctx = ctxWith({ saved: { target: 'd-old.cloudfront.net' } });
    const found = await dnsAlias.find(ctx);
    expect(found?.foreign).toBeUndefined();
    expect(dnsAlias.diff(await dnsAlias.desired(ctx), found!)).toHaveLength(4);
    await dnsAlias.update(ctx, await dnsAlias.desired(ctx), found!, []);
    expect(ctx.recorded.target).toBe('d111.cloudfront.net');
  });

  it('delete removes only our records; status shows what each name resolves to', async () => {
    const ctx = ctxWith();
    await dnsAlias.create(ctx, await dnsAlias.desired(ctx));
    zone.sets = zone.sets.filter((s) => !(s.Name === 'www.example.com.' && s.Type === 'AAAA'));
    zone.sets.push({
      Name: 'www.example.com.',
      Type: 'AAAA',
      TTL: 60,
      ResourceRecords: [{ Value: '2001:db8::1' }],
    });
    zone.sets.push({
      Name: 'example.com.',
      Type: 'MX',
      TTL: 300,
      ResourceRecords: [{ Value: '10 mx.example.net' }],
    });

    const found = (await dnsAlias.find(ctx))!;
    expect(await dnsAlias.describe!(ctx, found)).toBe(
      'example.com: A alias d111.cloudfront.net, AAAA alias d111.cloudfront.net; www.example.com: A alias d111.cloudfront.net, AAAA 2001:db8::1',
    );
    expect(await dnsAlias.health!(ctx, found)).toEqual({
      state: 'unhealthy',
      detail: 'points elsewhere: www.example.com AAAA 2001:db8::1',
    });
    await dnsAlias.delete(ctx, found);
    expect(zone.sets.map((s) => `${s.Name} ${s.Type}`).sort()).toEqual([
      'example.com. MX',
      'www.example.com. AAAA',
    ]);
  });

  it('throttling while reading records is surfaced, not read as a missing record', async () => {
    route53.reset();
    route53.onAnyCommand().rejects(throttling());
    await expect(dnsAlias.find(ctxWith())).rejects.toMatchObject({ name: 'Throttling' });
  });
});
