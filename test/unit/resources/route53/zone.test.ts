import { GetHostedZoneCommand, ListHostedZonesByNameCommand, Route53Client } from '@aws-sdk/client-route-53';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { zone } from '../../../../src/resources/route53/zone.js';
import { testConfig, testContext } from '../../../support/context.js';
import { awsError, throttling } from '../../../support/fake-route53.js';

const NAME_SERVERS = ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.com'];

function hostedZone(id: string, name: string, privateZone = false) {
  return { Id: `/hostedzone/${id}`, Name: name, CallerReference: id, Config: { PrivateZone: privateZone } };
}

describe('zone', () => {
  let route53: AwsClientStub<Route53Client>;

  beforeEach(() => {
    route53 = mockClient(Route53Client);
    route53.on(GetHostedZoneCommand).callsFake((input: { Id: string }) => ({
      HostedZone: hostedZone(input.Id, 'example.com.'),
      DelegationSet: { NameServers: NAME_SERVERS },
    }));
  });
  afterEach(() => {
    route53.reset();
    route53.restore();
  });

  it('finds the public zone named exactly like the domain (trailing dot), skipping private and longer names', async () => {
    route53.on(ListHostedZonesByNameCommand).resolves({
      HostedZones: [
        hostedZone('ZPRIVATE', 'example.com.', true),
        hostedZone('ZPUBLIC', 'example.com.'),
        hostedZone('ZSUB', 'sub.example.com.'),
      ],
      IsTruncated: false,
    });
    const ctx = testContext({ key: 'zone' });
    const actual = await zone.find(ctx);
    expect(route53.commandCalls(ListHostedZonesByNameCommand)[0]?.args[0].input.DNSName).toBe('example.com.');
    expect(zone.outputs(actual!)).toEqual({
      zoneId: 'ZPUBLIC',
      name: 'example.com',
      nameServers: NAME_SERVERS,
    });
    expect(route53.commandCalls(GetHostedZoneCommand)[0]?.args[0].input.Id).toBe('ZPUBLIC');
  });

  it('several public zones of the same name are a UserError asking for dns.hostedZoneId', async () => {
    route53.on(ListHostedZonesByNameCommand).resolves({
      HostedZones: [hostedZone('ZONE1', 'example.com.'), hostedZone('ZONE2', 'example.com.')],
    });
    await expect(zone.find(testContext({ key: 'zone' }))).rejects.toMatchObject({
      name: 'UserError',
      message: expect.stringMatching(/ZONE1, ZONE2/),
      hint: expect.stringContaining('dns.hostedZoneId'),
    });
  });

  it('follows the listing onto the next page while the names still match', async () => {
    route53
      .on(ListHostedZonesByNameCommand)
      .resolvesOnce({
        HostedZones: [hostedZone('ZPRIVATE', 'example.com.', true)],
        IsTruncated: true,
        NextDNSName: 'example.com.',
        NextHostedZoneId: 'ZPUBLIC',
      })
      .resolvesOnce({ HostedZones: [hostedZone('ZPUBLIC', 'example.com.')], IsTruncated: false });
    const actual = await zone.find(testContext({ key: 'zone' }));
    expect(actual?.zoneId).toBe('ZPUBLIC');
    expect(route53.commandCalls(ListHostedZonesByNameCommand)[1]?.args[0].input.HostedZoneId).toBe('ZPUBLIC');
  });

  it('no zone: find is undefined and create explains how to fix it', async () => {
    route53
      .on(ListHostedZonesByNameCommand)
      .resolves({ HostedZones: [hostedZone('ZOTHER', 'example.org.')] });
    const ctx = testContext({ key: 'zone' });
    expect(await zone.find(ctx)).toBeUndefined();
    await expect(zone.create(ctx, await zone.desired(ctx))).rejects.toMatchObject({
      name: 'UserError',
      message: expect.stringMatching(
        /^no Route 53 hosted zone for example\.com: create one .* or set dns\.hostedZoneId/,
      ),
    });
  });

  it('uses dns.hostedZoneId when set, with or without the /hostedzone/ prefix', async () => {
    const ctx = testContext({
      key: 'zone',
      config: testConfig({ dns: { hostedZoneId: '/hostedzone/ZCONF' } }),
    });
    const actual = await zone.find(ctx);
    expect(actual?.zoneId).toBe('ZCONF');
    expect(route53.commandCalls(ListHostedZonesByNameCommand)).toHaveLength(0);
  });

  it('a configured id that does not exist reads as missing and create names the setting', async () => {
    route53.on(GetHostedZoneCommand).rejects(awsError('NoSuchHostedZone'));
    const ctx = testContext({ key: 'zone', config: testConfig({ dns: { hostedZoneId: 'ZGONE' } }) });
    expect(await zone.find(ctx)).toBeUndefined();
    await expect(zone.create(ctx, await zone.desired(ctx))).rejects.toMatchObject({
      name: 'UserError',
      message: expect.stringContaining('ZGONE (dns.hostedZoneId) does not exist'),
    });
  });

  it('a configured zone of another domain is a UserError', async () => {
    route53.on(GetHostedZoneCommand).resolves({ HostedZone: hostedZone('ZORG', 'example.org.') });
    const ctx = testContext({ key: 'zone', config: testConfig({ dns: { hostedZoneId: 'ZORG' } }) });
    await expect(zone.find(ctx)).rejects.toMatchObject({
      name: 'UserError',
      message: expect.stringContaining('example.org'),
    });
  });

  it('throttling is surfaced, not mistaken for a missing zone', async () => {
    route53.on(ListHostedZonesByNameCommand).rejects(throttling());
    await expect(zone.find(testContext({ key: 'zone' }))).rejects.toMatchObject({ name: 'Throttling' });
  });

  it('is never deleted and never differs', async () => {
    const ctx = testContext({ key: 'zone' });
    const actual = { id: 'Z1', zoneId: 'Z1', name: 'example.com', nameServers: NAME_SERVERS };
    await zone.delete(ctx, actual);
    expect(route53.calls()).toHaveLength(0);
    expect(zone.diff(await zone.desired(ctx), actual)).toEqual([]);
    expect(await zone.health!(ctx, { ...actual, nameServers: [] })).toMatchObject({ state: 'unhealthy' });
  });
});
