import { ListCertificatesCommand } from '@aws-sdk/client-acm';
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Aws } from '../../../src/aws/clients.js';
import type { ConfigInput } from '../../../src/config/schema.js';
import { cdnCertificate, originCertificate } from '../../../src/resources/acm/certificate.js';
import { certificateValidation } from '../../../src/resources/acm/certificate-validation.js';
import type { CertificateOutputs, ValidationOutputs, ZoneOutputs } from '../../../src/resources/outputs.js';
import { dnsAlias } from '../../../src/resources/route53/dns-alias.js';
import { originRecord } from '../../../src/resources/route53/origin-record.js';
import { zone } from '../../../src/resources/route53/zone.js';
import type { ResourceState } from '../../../src/state/types.js';
import { testConfig, testContext } from '../../support/context.js';
import { motoAvailable, useMoto } from '../../support/moto.js';

const DOMAIN = 'example.com';
const FAKE_ALB = {
  arn: 'arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/app/demo-alb/abc',
  dnsName: 'demo-alb-123.eu-central-1.elb.amazonaws.com',
  canonicalHostedZoneId: 'Z215JYRZR1TBD5',
};
const FAKE_DISTRIBUTION = {
  id: 'E123EXAMPLE',
  arn: 'arn:aws:cloudfront::123456789012:distribution/E123EXAMPLE',
  domainName: 'd111111abcdef8.cloudfront.net',
};

describe.skipIf(!motoAvailable())('DNS and certificate handlers against moto', () => {
  useMoto();
  let route53: Route53Client;

  beforeAll(async () => {
    route53 = new Route53Client({ region: 'us-east-1' });
  });
  afterAll(async () => {
    route53?.destroy();
  });

  async function createZone(name = DOMAIN, reference = `ref-${Math.random()}`): Promise<string> {
    const response = await route53.send(
      new CreateHostedZoneCommand({ Name: name, CallerReference: reference }),
    );
    return (response.HostedZone?.Id ?? '').replace('/hostedzone/', '');
  }

  async function zoneRecords(zoneId: string): Promise<ResourceRecordSet[]> {
    const response = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
    return response.ResourceRecordSets ?? [];
  }

  async function putRecord(zoneId: string, set: ResourceRecordSet, action: 'UPSERT' | 'DELETE' = 'UPSERT') {
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: { Changes: [{ Action: action, ResourceRecordSet: set }] },
      }),
    );
  }

  async function zoneOutputs(zoneId: string): Promise<ZoneOutputs> {
    const actual = await zone.find(testContext({ key: 'zone' }));
    expect(actual?.zoneId).toBe(zoneId);
    return zone.outputs(actual!);
  }

  function ctxFor(
    key: string,
    opts: {
      saved?: ResourceState;
      outputs?: Record<string, object>;
      yes?: boolean;
      config?: Partial<ConfigInput>;
    } = {},
  ) {
    return testContext({
      key,
      config: testConfig(opts.config),
      saved: opts.saved ?? {},
      outputs: (opts.outputs ?? {}) as Record<string, Record<string, unknown>>,
      options: { yes: opts.yes ?? false },
    });
  }

  describe('zone', () => {
    it('is found by exact name, without the /hostedzone/ prefix and with its name servers', async () => {
      await createZone('sub.example.com');
      const zoneId = await createZone();
      const actual = await zone.find(testContext({ key: 'zone' }));
      expect(actual?.zoneId).toBe(zoneId);
      expect(actual?.zoneId).not.toContain('/');
      const outputs = zone.outputs(actual!);
      expect(outputs.name).toBe(DOMAIN);
      expect(outputs.nameServers.length).toBeGreaterThan(0);
    });

    it('is found by the configured id', async () => {
      const zoneId = await createZone();
      const ctx = testContext({ key: 'zone', config: testConfig({ dns: { hostedZoneId: zoneId } }) });
      expect((await zone.find(ctx))?.zoneId).toBe(zoneId);
    });

    it('missing: find gives undefined and create says what to do', async () => {
      await createZone('other.org');
      const ctx = testContext({ key: 'zone' });
      expect(await zone.find(ctx)).toBeUndefined();
      await expect(zone.create(ctx, await zone.desired(ctx))).rejects.toMatchObject({
        name: 'UserError',
        message: expect.stringContaining(`no Route 53 hosted zone for ${DOMAIN}`),
      });
    });

    it('two public zones of the same name ask for dns.hostedZoneId', async () => {
      await createZone(DOMAIN, 'one');
      await createZone(DOMAIN, 'two');
      await expect(zone.find(testContext({ key: 'zone' }))).rejects.toMatchObject({
        name: 'UserError',
        message: expect.stringContaining('several public Route 53 hosted zones'),
      });
    });
  });

  describe('certificates', () => {
    it('create in us-east-1 and eu-central-1; the saved token gives the same ARN; found by state and by tags', async () => {
      for (const [handler, region] of [
        [cdnCertificate, 'us-east-1'],
        [originCertificate, 'eu-central-1'],
      ] as const) {
        const ctx = ctxFor(handler.key);
        const desired = await handler.desired(ctx);
        const created = await handler.create(ctx, desired);
        expect(created.arn).toContain(`:acm:${region}:`);
        expect(ctx.recorded.arn).toBe(created.arn);

        // A create retried after a crash: the token was saved before the request, the ARN was not.
        const again = await handler.create(
          ctxFor(handler.key, { saved: { request: ctx.recorded.request } }),
          desired,
        );
        expect(again.arn).toBe(created.arn);

        const byState = await handler.find(ctxFor(handler.key, { saved: { arn: created.arn, region } }));
        expect(byState?.arn).toBe(created.arn);
        const byTags = await handler.find(ctxFor(handler.key));
        expect(byTags?.arn).toBe(created.arn);
        expect(handler.diff(desired, byTags!)).toEqual([]);
        expect(handler.outputs(byTags!).domainNames).toEqual(desired.domainNames);
      }
      const listed = await new Aws({ region: 'us-east-1' })
        .acm('us-east-1')
        .send(new ListCertificatesCommand({}));
      expect(listed.CertificateSummaryList).toHaveLength(1);
    });

    it('the CloudFront certificate covers the site names, plus the origin name in us-east-1', async () => {
      const inFrankfurt = await cdnCertificate.desired(ctxFor('certificate.cdn'));
      expect(inFrankfurt.domainNames).toEqual(['example.com', 'www.example.com']);
      expect(originCertificate.enabled?.(testConfig())).toBe(true);
      const virginia = testConfig({ region: 'us-east-1' });
      expect(originCertificate.enabled?.(virginia)).toBe(false);
      const inVirginia = await cdnCertificate.desired(
        ctxFor('certificate.cdn', { config: { region: 'us-east-1' } }),
      );
      expect(inVirginia.domainNames).toEqual(['example.com', 'origin.example.com', 'www.example.com']);
    });

    it('a certificate of another stack is not adopted, and changed names force a replacement', async () => {
      const other = ctxFor('certificate.cdn', { config: { stack: 'other' } });
      const theirs = await cdnCertificate.create(other, await cdnCertificate.desired(other));
      expect(await cdnCertificate.find(ctxFor('certificate.cdn'))).toBeUndefined();

      const ctx = ctxFor('certificate.cdn', { config: { aliases: ['www.example.com', 'app.example.com'] } });
      const changed = await cdnCertificate.desired(ctx);
      const changes = cdnCertificate.diff(changed, theirs);
      expect(changes).toContainEqual(expect.objectContaining({ field: 'domainNames', action: 'replace' }));
    });

    it('a certificate requested again after a destroy is a new one, not the deleted one', async () => {
      const first = ctxFor('certificate.cdn');
      const created = await cdnCertificate.create(first, await cdnCertificate.desired(first));
      await cdnCertificate.delete(first, created);
      // destroy removed the state entry: the next up starts from nothing
      const next = ctxFor('certificate.cdn');
      const again = await cdnCertificate.create(next, await cdnCertificate.desired(next));
      expect(again.arn).not.toBe(created.arn);
      expect((await cdnCertificate.find(ctxFor('certificate.cdn')))?.arn).toBe(again.arn);
    });

    it('delete removes the certificate and is idempotent', async () => {
      const ctx = ctxFor('certificate.origin');
      const created = await originCertificate.create(ctx, await originCertificate.desired(ctx));
      await originCertificate.delete(ctx, created);
      await originCertificate.delete(ctx, created);
      expect(
        await originCertificate.find(ctxFor('certificate.origin', { saved: { arn: created.arn } })),
      ).toBeUndefined();
    });
  });

  describe('validation', () => {
    async function certificates(zoneOut: ZoneOutputs) {
      const outputs: Record<string, object> = { zone: zoneOut };
      for (const handler of [cdnCertificate, originCertificate]) {
        const ctx = ctxFor(handler.key);
        outputs[handler.key] = handler.outputs(
          await handler.create(ctx, await handler.desired(ctx)),
        ) satisfies CertificateOutputs;
      }
      return outputs;
    }

    it('UPSERTs the de-duplicated CNAMEs once, idempotently, waits for ISSUED, and deletes only its records', async () => {
      const zoneId = await createZone();
      const outputs = await certificates(await zoneOutputs(zoneId));
      await putRecord(zoneId, {
        Name: `mail.${DOMAIN}`,
        Type: 'MX',
        TTL: 300,
        ResourceRecords: [{ Value: '10 mx.example.net' }],
      });

      const ctx = ctxFor('validation', { outputs });
      const desired = await certificateValidation.desired(ctx);
      // One record per certificate name (example.com, www and origin), each written once.
      expect(desired.records).toHaveLength(3);
      expect(new Set(desired.records.map((r) => r.name)).size).toBe(3);
      expect(await certificateValidation.find(ctxFor('validation', { outputs }))).toBeUndefined();

      const created = await certificateValidation.create(ctx, desired);
      await certificateValidation.create(ctxFor('validation', { outputs }), desired);
      const cnames = (await zoneRecords(zoneId)).filter((r) => r.Type === 'CNAME');
      expect(cnames.map((r) => r.Name)).toHaveLength(desired.records.length);
      expect(new Set(cnames.map((r) => r.Name)).size).toBe(cnames.length);

      const ready = await certificateValidation.wait!(ctx, created);
      expect(ready.certificates.map((c) => c.status)).toEqual(['ISSUED', 'ISSUED']);
      const out: ValidationOutputs = certificateValidation.outputs(ready);
      expect(out.cdnCertificateArn).toBe((outputs['certificate.cdn'] as CertificateOutputs).arn);
      expect(out.originCertificateArn).toBe((outputs['certificate.origin'] as CertificateOutputs).arn);

      const found = await certificateValidation.find(ctxFor('validation', { outputs }));
      expect(found?.records).toEqual(desired.records);
      expect(certificateValidation.diff(desired, found!)).toEqual([]);

      await certificateValidation.delete(ctx, found!);
      const left = await zoneRecords(zoneId);
      expect(left.filter((r) => r.Type === 'CNAME')).toEqual([]);
      expect(left.map((r) => r.Type).sort()).toEqual(['MX', 'NS', 'SOA']);
      expect(await certificateValidation.find(ctxFor('validation', { outputs }))).toBeUndefined();
    });

    it('a record deleted behind its back is seen as missing and written again', async () => {
      const zoneId = await createZone();
      const outputs = await certificates(await zoneOutputs(zoneId));
      const ctx = ctxFor('validation', { outputs });
      const desired = await certificateValidation.desired(ctx);
      await certificateValidation.create(ctx, desired);
      expect(ctx.recorded.records).toEqual(desired.records);
      const [gone] = (await zoneRecords(zoneId)).filter((r) => r.Type === 'CNAME');
      await putRecord(zoneId, gone!, 'DELETE');

      const drifted = await certificateValidation.find(
        ctxFor('validation', { outputs, saved: { ...ctx.saved } }),
      );
      expect(drifted?.records).toHaveLength(desired.records.length - 1);
      const changes = certificateValidation.diff(desired, drifted!);
      expect(changes).toEqual([
        expect.objectContaining({ field: `record ${gone!.Name!.replace(/\.$/, '')}`, from: 'missing' }),
      ]);
      await certificateValidation.update(ctx, desired, drifted!, changes);
      const repaired = await certificateValidation.find(ctxFor('validation', { outputs }));
      expect(certificateValidation.diff(desired, repaired!)).toEqual([]);
    });
  });

  describe('origin record', () => {
    it('points origin.<domain> at the ALB, is found again, repaired, and deleted', async () => {
      const zoneId = await createZone();
      const outputs = { zone: await zoneOutputs(zoneId), loadBalancer: FAKE_ALB };
      const ctx = ctxFor('originRecord', { outputs });
      const desired = await originRecord.desired(ctx);
      expect(await originRecord.find(ctx)).toBeUndefined();

      const created = await originRecord.create(ctx, desired);
      expect(originRecord.outputs(created)).toEqual({ name: `origin.${DOMAIN}` });
      const [record] = (await zoneRecords(zoneId)).filter((r) => r.Type === 'A');
      expect(record?.AliasTarget?.DNSName?.replace(/\.$/, '')).toBe(`dualstack.${FAKE_ALB.dnsName}`);
      expect(record?.AliasTarget?.EvaluateTargetHealth).toBe(false);

      const byState = await originRecord.find(ctxFor('originRecord', { outputs, saved: { ...ctx.saved } }));
      const byName = await originRecord.find(ctxFor('originRecord', { outputs }));
      for (const found of [byState, byName]) {
        expect(found?.foreign).toBeUndefined();
        expect(originRecord.diff(desired, found!)).toEqual([]);
      }

      // The ALB was replaced: the record still points at the old one, which state says was ours.
      const newAlb = { ...FAKE_ALB, dnsName: 'demo-alb-456.eu-central-1.elb.amazonaws.com' };
      const moved = ctxFor('originRecord', {
        outputs: { ...outputs, loadBalancer: newAlb },
        saved: { ...ctx.saved },
      });
      const stale = await originRecord.find(moved);
      expect(stale?.foreign).toBeUndefined();
      const newDesired = await originRecord.desired(moved);
      expect(originRecord.diff(newDesired, stale!)).toHaveLength(1);
      await originRecord.update(moved, newDesired, stale!, []);
      const current = await originRecord.find(moved);
      expect(originRecord.diff(newDesired, current!)).toEqual([]);

      await originRecord.delete(moved, current!);
      expect(await originRecord.find(moved)).toBeUndefined();
    });
  });

  describe('dns alias', () => {
    const outputsFor = async (zoneId: string) => ({
      zone: await zoneOutputs(zoneId),
      distribution: FAKE_DISTRIBUTION,
    });

    it('writes A and AAAA for every name, sees a deleted record as drift, restores it, deletes only its records', async () => {
      const zoneId = await createZone();
      const outputs = await outputsFor(zoneId);
      await putRecord(zoneId, {
        Name: `mail.${DOMAIN}`,
        Type: 'MX',
        TTL: 300,
        ResourceRecords: [{ Value: '10 mx.example.net' }],
      });
      const ctx = ctxFor('dnsAlias', { outputs });
      const desired = await dnsAlias.desired(ctx);
      const created = await dnsAlias.create(ctx, desired);
      expect(created.records).toHaveLength(4);
      const aliases = (await zoneRecords(zoneId)).filter((r) => r.AliasTarget);
      expect(aliases.map((r) => `${r.Name} ${r.Type}`).sort()).toEqual([
        'example.com. A',
        'example.com. AAAA',
        'www.example.com. A',
        'www.example.com. AAAA',
      ]);

      const byName = await dnsAlias.find(ctxFor('dnsAlias', { outputs }));
      expect(byName?.foreign).toBeUndefined();
      expect(dnsAlias.diff(desired, byName!)).toEqual([]);

      const www = aliases.find((r) => r.Name === 'www.example.com.' && r.Type === 'AAAA')!;
      await putRecord(zoneId, www, 'DELETE');
      const drifted = await dnsAlias.find(ctxFor('dnsAlias', { outputs, saved: { ...ctx.saved } }));
      const changes = dnsAlias.diff(desired, drifted!);
      expect(changes).toEqual([expect.objectContaining({ field: 'www.example.com AAAA', from: 'missing' })]);
      await dnsAlias.update(ctx, desired, drifted!, changes);
      expect(dnsAlias.diff(desired, (await dnsAlias.find(ctx))!)).toEqual([]);

      await dnsAlias.delete(ctx, (await dnsAlias.find(ctx))!);
      const left = await zoneRecords(zoneId);
      expect(left.map((r) => r.Type).sort()).toEqual(['MX', 'NS', 'SOA']);
      expect(await dnsAlias.find(ctx)).toBeUndefined();
    });

    it('a foreign record is shown, not overwritten without --yes, and left alone by delete', async () => {
      const zoneId = await createZone();
      const outputs = await outputsFor(zoneId);
      const foreignSet: ResourceRecordSet = {
        Name: `www.${DOMAIN}`,
        Type: 'A',
        TTL: 300,
        ResourceRecords: [{ Value: '192.0.2.10' }],
      };
      await putRecord(zoneId, foreignSet);
      const ctx = ctxFor('dnsAlias', { outputs });
      const desired = await dnsAlias.desired(ctx);

      const found = await dnsAlias.find(ctx);
      expect(found?.foreign).toContain('www.example.com A 192.0.2.10');
      await expect(dnsAlias.create(ctx, desired)).rejects.toMatchObject({
        name: 'UserError',
        message: expect.stringContaining('refusing to take over'),
      });
      expect((await zoneRecords(zoneId)).filter((r) => r.Type === 'A' || r.Type === 'AAAA')).toHaveLength(1);

      // Our apex records exist beside the foreign www record: delete removes ours only.
      const apexOnly = { ...desired, specs: desired.specs.filter((s) => s.name === DOMAIN) };
      await dnsAlias.create(ctx, apexOnly);
      await dnsAlias.delete(ctx, (await dnsAlias.find(ctx))!);
      const left = (await zoneRecords(zoneId)).filter((r) => r.Type === 'A' || r.Type === 'AAAA');
      expect(left).toEqual([
        expect.objectContaining({ Name: 'www.example.com.', ResourceRecords: [{ Value: '192.0.2.10' }] }),
      ]);

      const yes = ctxFor('dnsAlias', { outputs, yes: true });
      await dnsAlias.create(yes, desired);
      const taken = await dnsAlias.find(yes);
      expect(taken?.foreign).toBeUndefined();
      expect(dnsAlias.diff(desired, taken!)).toEqual([]);
    });
  });
});
