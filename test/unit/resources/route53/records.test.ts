import {
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandInput,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listingOrder, recordsNamed } from '../../../../src/resources/route53/records.js';

const APEX = '_a1.example.com';
const WWW = '_a2.www.example.com';
const ORIGIN = '_a3.origin.example.com';

function cname(name: string, value = `_v.${name}.acm-validations.aws.`): ResourceRecordSet {
  return { Name: `${name}.`, Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: value }] };
}

function txt(name: string): ResourceRecordSet {
  return { Name: `${name}.`, Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: '"x"' }] };
}

/** Route 53's listing: by reversed labels with a trailing dot, then type; pages of MaxItems. */
function routeOrder(a: ResourceRecordSet, b: ResourceRecordSet): number {
  const ka = `${listingOrder(a.Name ?? '')} ${a.Type}`;
  const kb = `${listingOrder(b.Name ?? '')} ${b.Type}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function serveZone(
  mock: AwsClientStub<Route53Client>,
  sets: ResourceRecordSet[],
  order: (a: ResourceRecordSet, b: ResourceRecordSet) => number = routeOrder,
): void {
  const sorted = [...sets].sort(order);
  mock.on(ListResourceRecordSetsCommand).callsFake((input: ListResourceRecordSetsCommandInput) => {
    const start: ResourceRecordSet = {
      Name: input.StartRecordName ?? '',
      Type: input.StartRecordType ?? 'A',
    };
    const from = input.StartRecordName ? sorted.findIndex((s) => order(s, start) >= 0) : 0;
    const max = input.MaxItems ?? 300;
    const rest = from < 0 ? [] : sorted.slice(from);
    const page = rest.slice(0, max);
    const next = rest[max];
    return {
      ResourceRecordSets: page,
      IsTruncated: next !== undefined,
      MaxItems: max,
      ...(next ? { NextRecordName: next.Name, NextRecordType: next.Type } : {}),
    };
  });
}

/** `count` records named host-0000.example.com …: they sort between the apex and www names. */
function filler(count: number): ResourceRecordSet[] {
  return Array.from({ length: count }, (_, i) => ({
    Name: `host-${String(i).padStart(4, '0')}.example.com.`,
    Type: 'A' as const,
    TTL: 60,
    ResourceRecords: [{ Value: '192.0.2.1' }],
  }));
}

describe('recordsNamed', () => {
  let route53: AwsClientStub<Route53Client>;
  const client = () => new Route53Client({ region: 'us-east-1' });

  beforeEach(() => {
    route53 = mockClient(Route53Client);
  });
  afterEach(() => {
    route53.reset();
    route53.restore();
  });

  it("orders names as Route 53 lists them: reversed labels, the trailing dot before '-'", () => {
    expect(listingOrder('_A1.Example.com.')).toBe('com.example._a1.');
    const names = ['www.example.com', 'www-x.example.com', '_a1.example.com', 'api.example.com'];
    const sorted = [...names].sort((a, b) => (listingOrder(a) < listingOrder(b) ? -1 : 1));
    expect(sorted).toEqual(['_a1.example.com', 'api.example.com', 'www-x.example.com', 'www.example.com']);
  });

  it('reads every set at three names in one listing, from the lowest name on', async () => {
    const zoneSets = [
      cname(APEX),
      cname(WWW),
      txt(WWW),
      cname(ORIGIN),
      txt('example.com'),
      txt('zzz.example.com'),
    ];
    serveZone(route53, zoneSets);
    const found = await recordsNamed(client(), '/hostedzone/ZONE1', [`${WWW}.`, ORIGIN, APEX]);
    const calls = route53.commandCalls(ListResourceRecordSetsCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toMatchObject({ HostedZoneId: 'ZONE1', StartRecordName: APEX });
    expect(found.get(APEX)).toEqual([cname(APEX)]);
    expect(found.get(WWW)?.map((s) => s.Type)).toEqual(['CNAME', 'TXT']);
    expect(found.get(ORIGIN)).toEqual([cname(ORIGIN)]);
  });

  it('pages only as far as the highest name', async () => {
    serveZone(route53, [cname(APEX), ...filler(400), cname(WWW), txt('zzz.example.com')]);
    const found = await recordsNamed(client(), 'ZONE1', [APEX, WWW]);
    const calls = route53.commandCalls(ListResourceRecordSetsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input).toMatchObject({
      StartRecordName: 'host-0299.example.com.',
      StartRecordType: 'A',
    });
    expect(found.get(WWW)).toEqual([cname(WWW)]);
  });

  it('a name the ordered listing passed without showing is absent: a deleted record stays missing', async () => {
    serveZone(route53, [cname(APEX), cname(ORIGIN)]);
    const found = await recordsNamed(client(), 'ZONE1', [APEX, WWW, ORIGIN]);
    expect(route53.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(1);
    expect(found.get(WWW)).toEqual([]);
    expect(found.get(ORIGIN)).toEqual([cname(ORIGIN)]);
  });

  it('past the page bound the names not reached are read one by one', async () => {
    serveZone(route53, [cname(APEX), ...filler(1000), cname(WWW)]);
    const found = await recordsNamed(client(), 'ZONE1', [APEX, WWW]);
    const calls = route53.commandCalls(ListResourceRecordSetsCommand);
    expect(calls).toHaveLength(4);
    expect(calls[3]?.args[0].input.StartRecordName).toBe(WWW);
    expect(found.get(APEX)).toEqual([cname(APEX)]);
    expect(found.get(WWW)).toEqual([cname(WWW)]);
  });

  it('a zone that lists names in another order still gives every set at every name', async () => {
    const plain = (a: ResourceRecordSet, b: ResourceRecordSet) =>
      `${a.Name} ${a.Type}` < `${b.Name} ${b.Type}`
        ? -1
        : `${a.Name} ${a.Type}` > `${b.Name} ${b.Type}`
          ? 1
          : 0;
    // Plainly ordered, _a0.www comes before _a1 (the lowest name by reversed labels), so the listing
    // from _a1 does not show it.
    const early = '_a0.www.example.com';
    serveZone(route53, [cname(early), cname(APEX), cname(ORIGIN), txt('b.example.com')], plain);
    const found = await recordsNamed(client(), 'ZONE1', [APEX, early, ORIGIN]);
    expect(route53.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(2);
    expect(found.get(APEX)).toEqual([cname(APEX)]);
    expect(found.get(early)).toEqual([cname(early)]);
    expect(found.get(ORIGIN)).toEqual([cname(ORIGIN)]);
  });

  it('one name is one exact read; no name is no call', async () => {
    serveZone(route53, [cname(APEX), cname(WWW)]);
    expect((await recordsNamed(client(), 'ZONE1', [WWW])).get(WWW)).toEqual([cname(WWW)]);
    expect(route53.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(1);
    expect((await recordsNamed(client(), 'ZONE1', [])).size).toBe(0);
    expect(route53.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(1);
  });
});
