import { ChangeResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isUnknown, UNKNOWN, unknown } from '../../../../src/engine/contract.js';
import { originRecord } from '../../../../src/resources/route53/origin-record.js';
import { testContext } from '../../../support/context.js';
import { type FakeZone, fakeZone } from '../../../support/fake-route53.js';

const ALB = {
  arn: 'arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/app/demo-alb/1',
  dnsName: 'Demo-ALB-1.eu-central-1.elb.amazonaws.com',
  canonicalHostedZoneId: 'Z215JYRZR1TBD5',
};
const outputs = { zone: { zoneId: 'ZONE1', name: 'example.com', nameServers: [] }, loadBalancer: ALB };

describe('origin record', () => {
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
    opts: {
      saved?: Record<string, unknown>;
      yes?: boolean;
      confirm?: boolean;
      alb?: typeof ALB | typeof unknown;
    } = {},
  ) =>
    testContext({
      key: 'originRecord',
      outputs: { ...outputs, loadBalancer: opts.alb ?? ALB },
      saved: opts.saved ?? {},
      options: { yes: opts.yes ?? false },
      ...(opts.confirm === undefined ? {} : { confirm: opts.confirm }),
    });

  it('UPSERTs an A alias to dualstack.<alb> in the ALB zone without target health evaluation', async () => {
    const ctx = ctxWith();
    const created = await originRecord.create(ctx, await originRecord.desired(ctx));
    const call = route53.commandCalls(ChangeResourceRecordSetsCommand)[0]!.args[0].input;
    expect(call.HostedZoneId).toBe('ZONE1');
    expect(call.ChangeBatch?.Changes).toEqual([
      {
        Action: 'UPSERT',
        ResourceRecordSet: {
          Name: 'origin.example.com',
          Type: 'A',
          AliasTarget: {
            DNSName: 'dualstack.demo-alb-1.eu-central-1.elb.amazonaws.com',
            HostedZoneId: 'Z215JYRZR1TBD5',
            EvaluateTargetHealth: false,
          },
        },
      },
    ]);
    expect(originRecord.outputs(created)).toEqual({ name: 'origin.example.com' });
    expect(ctx.recorded.target).toBe('dualstack.demo-alb-1.eu-central-1.elb.amazonaws.com');
  });

  it('finds its record (Route 53 reads it back with a trailing dot) with no difference', async () => {
    const ctx = ctxWith();
    const desired = await originRecord.desired(ctx);
    await originRecord.create(ctx, desired);
    zone.sets = zone.sets.map((s) => ({
      ...s,
      AliasTarget: { ...s.AliasTarget!, DNSName: `${s.AliasTarget?.DNSName}.` },
    }));
    const found = await originRecord.find(ctxWith());
    expect(found?.foreign).toBeUndefined();
    expect(originRecord.diff(desired, found!)).toEqual([]);
    expect(await originRecord.describe!(ctx, found!)).toBe(
      'origin.example.com A alias dualstack.demo-alb-1.eu-central-1.elb.amazonaws.com',
    );
  });

  it('a CNAME at the origin name is foreign; taking it over needs confirmation and replaces it in one batch', async () => {
    zone.sets.push({
      Name: 'origin.example.com.',
      Type: 'CNAME',
      TTL: 300,
      ResourceRecords: [{ Value: 'old-host.example.net' }],
    });
    const found = await originRecord.find(ctxWith());
    expect(found?.foreign).toBe('points elsewhere: origin.example.com CNAME old-host.example.net');
    const desired = await originRecord.desired(ctxWith());
    expect(originRecord.diff(desired, found!)).toHaveLength(1);

    await expect(originRecord.update(ctxWith({ confirm: false }), desired, found!, [])).rejects.toMatchObject(
      {
        name: 'UserError',
        hint: expect.stringContaining('--yes'),
      },
    );
    expect(zone.batches).toHaveLength(0);

    await originRecord.update(ctxWith({ confirm: true }), desired, found!, []);
    expect(zone.batches[0]?.map((c) => `${c.Action} ${c.ResourceRecordSet?.Type}`)).toEqual([
      'DELETE CNAME',
      'UPSERT A',
    ]);
  });

  it('a record pointing at the load balancer it pointed to before (state) is ours: an update, not a takeover', async () => {
    const ctx = ctxWith();
    await originRecord.create(ctx, await originRecord.desired(ctx));
    const replaced = { ...ALB, dnsName: 'demo-alb-2.eu-central-1.elb.amazonaws.com' };
    const moved = ctxWith({ alb: replaced, saved: { ...ctx.saved } });
    const found = await originRecord.find(moved);
    expect(found?.foreign).toBeUndefined();
    expect(originRecord.diff(await originRecord.desired(moved), found!)).toEqual([
      expect.objectContaining({ to: 'A alias dualstack.demo-alb-2.eu-central-1.elb.amazonaws.com' }),
    ]);
    // Without state the same record is someone else's.
    expect((await originRecord.find(ctxWith({ alb: replaced })))?.foreign).toContain('demo-alb-1');
  });

  it('before the load balancer exists its target is unknown: plan shows it, create writes nothing', async () => {
    const ctx = ctxWith();
    await originRecord.create(ctx, await originRecord.desired(ctx));
    const planned = ctxWith({ alb: unknown, saved: { ...ctx.saved } });
    const desired = await originRecord.desired(planned);
    expect(isUnknown(desired.spec.alias)).toBe(true);
    const found = await originRecord.find(planned);
    // What tekamolo wrote last time is still ours (stale), and the new target shows as unknown.
    expect(found?.foreign).toBeUndefined();
    expect(originRecord.diff(desired, found!)).toEqual([
      expect.objectContaining({ field: 'origin.example.com A', to: `A alias ${UNKNOWN}` }),
    ]);
    const written = route53.commandCalls(ChangeResourceRecordSetsCommand).length;
    await expect(originRecord.create(planned, desired)).rejects.toThrow(/not known yet/);
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(written);
  });

  it('delete removes its own record and leaves a foreign one alone', async () => {
    const ctx = ctxWith();
    await originRecord.create(ctx, await originRecord.desired(ctx));
    await originRecord.delete(ctx, (await originRecord.find(ctx))!);
    expect(zone.sets).toEqual([]);

    zone.sets.push({
      Name: 'origin.example.com.',
      Type: 'A',
      TTL: 60,
      ResourceRecords: [{ Value: '192.0.2.7' }],
    });
    const foreign = (await originRecord.find(ctxWith()))!;
    await originRecord.delete(ctx, foreign);
    expect(zone.sets).toHaveLength(1);
    expect(await originRecord.health!(ctx, foreign)).toMatchObject({ state: 'unhealthy' });
  });
});
