import { Route53Client } from '@aws-sdk/client-route-53';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dnsAlias } from '../../../../src/resources/route53/dns-alias.js';
import { testContext } from '../../../support/context.js';
import { type FakeZone, fakeZone } from '../../../support/fake-route53.js';

/**
 * Destroy of the site aliases when someone pointed one of the names elsewhere: destroy deletes what
 * `find` does not call foreign, so the records that are still ours must not be hidden behind the one
 * that is not (they would be left pointing at a deleted distribution).
 */

const outputs = {
  zone: { zoneId: 'ZONE1', name: 'example.com', nameServers: [] },
  distribution: {
    id: 'E1',
    arn: 'arn:aws:cloudfront::123456789012:distribution/E1',
    domainName: 'd111.cloudfront.net',
  },
};

describe('dns alias on destroy', () => {
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

  const ctx = () => testContext({ key: 'dnsAlias', outputs, saved: {}, options: { yes: true } });

  it('one name pointed elsewhere: the records that are ours are not foreign and go; the other stays', async () => {
    await dnsAlias.create(ctx(), await dnsAlias.desired(ctx()));
    zone.sets = zone.sets.map((s) =>
      s.Name === 'www.example.com.' && s.Type === 'A'
        ? { Name: s.Name, Type: 'A', TTL: 300, ResourceRecords: [{ Value: '192.0.2.80' }] }
        : s,
    );
    const found = await dnsAlias.find(ctx());
    expect(found?.foreign).toBeUndefined();
    await dnsAlias.delete(ctx(), found!);
    expect(zone.sets.map((s) => `${s.Name} ${s.Type} ${s.ResourceRecords?.[0]?.Value ?? 'alias'}`)).toEqual([
      'www.example.com. A 192.0.2.80',
    ]);
  });

  it('every name pointed elsewhere: foreign, so destroy keeps them all', async () => {
    for (const name of ['example.com.', 'www.example.com.']) {
      zone.sets.push({ Name: name, Type: 'A', TTL: 300, ResourceRecords: [{ Value: '192.0.2.80' }] });
    }
    const found = await dnsAlias.find(ctx());
    expect(found?.foreign).toBe('points elsewhere: example.com A 192.0.2.80; www.example.com A 192.0.2.80');
  });
});
