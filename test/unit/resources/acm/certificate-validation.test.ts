import { ACMClient, type CertificateDetail, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import {
  ChangeResourceRecordSetsCommand,
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { unknown } from '../../../../src/engine/contract.js';
import { certificateValidation } from '../../../../src/resources/acm/certificate-validation.js';
import { compareDelegation, publicDelegation } from '../../../../src/resources/route53/delegation.js';
import { testConfig, testContext } from '../../../support/context.js';
import { awsError, type FakeZone, fakeZone, throttling } from '../../../support/fake-route53.js';
import { withFakeTime } from '../../../support/fake-time.js';

const dns = vi.hoisted(() => ({
  resolveNs: (_name: string): Promise<string[]> => Promise.resolve([]),
  options: [] as unknown[],
}));
vi.mock('node:dns/promises', () => ({
  Resolver: class {
    constructor(options: unknown) {
      dns.options.push(options);
    }
    resolveNs(name: string) {
      return dns.resolveNs(name);
    }
    cancel() {}
  },
}));

const CDN_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/cdn-1';
const ORIGIN_ARN = 'arn:aws:acm:eu-central-1:123456789012:certificate/origin-1';
const ZONE_NS = ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.com'];
const APEX = { Name: '_a1.example.com.', Type: 'CNAME' as const, Value: '_v1.acm-validations.aws.' };
const WWW = { Name: '_a2.www.example.com.', Type: 'CNAME' as const, Value: '_v2.acm-validations.aws.' };
const ORIGIN = { Name: '_a3.origin.example.com.', Type: 'CNAME' as const, Value: '_v3.acm-validations.aws.' };

function cert(arn: string, status: string, options: [string, typeof APEX | undefined][]): CertificateDetail {
  return {
    CertificateArn: arn,
    DomainName: options[0]?.[0],
    SubjectAlternativeNames: options.map(([name]) => name),
    Status: status as CertificateDetail['Status'],
    DomainValidationOptions: options.map(([DomainName, ResourceRecord]) =>
      ResourceRecord ? { DomainName, ResourceRecord } : { DomainName },
    ),
  };
}

const cdnPending = cert(CDN_ARN, 'PENDING_VALIDATION', [
  ['example.com', APEX],
  ['www.example.com', WWW],
]);
const originPending = cert(ORIGIN_ARN, 'PENDING_VALIDATION', [['origin.example.com', ORIGIN]]);

const outputs = {
  zone: { zoneId: 'ZONE1', name: 'example.com', nameServers: ZONE_NS },
  'certificate.cdn': {
    arn: CDN_ARN,
    domainNames: ['example.com', 'www.example.com'],
    status: 'PENDING_VALIDATION',
  },
  'certificate.origin': {
    arn: ORIGIN_ARN,
    domainNames: ['origin.example.com'],
    status: 'PENDING_VALIDATION',
  },
};

describe('certificate validation', () => {
  let acm: AwsClientStub<ACMClient>;
  let route53: AwsClientStub<Route53Client>;
  let zone: FakeZone;

  beforeEach(() => {
    acm = mockClient(ACMClient);
    route53 = mockClient(Route53Client);
    zone = fakeZone(route53);
    route53.on(GetHostedZoneCommand).resolves({
      HostedZone: { Id: '/hostedzone/ZONE1', Name: 'example.com.', CallerReference: 'x' },
      DelegationSet: { NameServers: ZONE_NS },
    });
    acm.on(DescribeCertificateCommand, { CertificateArn: CDN_ARN }).resolves({ Certificate: cdnPending });
    acm
      .on(DescribeCertificateCommand, { CertificateArn: ORIGIN_ARN })
      .resolves({ Certificate: originPending });
    dns.resolveNs = () => Promise.resolve(ZONE_NS);
    dns.options = [];
  });
  afterEach(() => {
    acm.reset();
    acm.restore();
    route53.reset();
    route53.restore();
  });

  const ctxWith = (opts: { saved?: Record<string, unknown>; minutes?: number; readOnly?: boolean } = {}) =>
    testContext({
      key: 'validation',
      outputs,
      saved: opts.saved ?? {},
      options: { readOnly: opts.readOnly ?? false },
      config: testConfig({ waits: { pollSeconds: 0.01, certificateMinutes: opts.minutes ?? 0.05 } }),
    });

  it('waits until ACM has published the validation records (absent at the first describe)', async () => {
    acm
      .on(DescribeCertificateCommand, { CertificateArn: CDN_ARN })
      .resolvesOnce({
        Certificate: cert(CDN_ARN, 'PENDING_VALIDATION', [
          ['example.com', undefined],
          ['www.example.com', undefined],
        ]),
      })
      .resolves({ Certificate: cdnPending });
    const ctx = ctxWith();
    const desired = await certificateValidation.desired(ctx);
    expect(desired.records.map((r) => r.name)).toEqual([
      '_a1.example.com',
      '_a2.www.example.com',
      '_a3.origin.example.com',
    ]);
    expect(ctx.messages.some((m) => m.includes('not yet for example.com, www.example.com'))).toBe(true);
  });

  it('de-duplicates the CNAMEs across both certificates and UPSERTs them in one batch', async () => {
    // The same name on two certificates of one account gets the same validation record.
    acm.on(DescribeCertificateCommand, { CertificateArn: ORIGIN_ARN }).resolves({
      Certificate: cert(ORIGIN_ARN, 'PENDING_VALIDATION', [
        ['origin.example.com', ORIGIN],
        ['www.example.com', WWW],
      ]),
    });
    const ctx = ctxWith();
    const created = await certificateValidation.create(ctx, await certificateValidation.desired(ctx));
    expect(zone.batches).toHaveLength(1);
    expect(zone.batches[0]?.map((c) => `${c.Action} ${c.ResourceRecordSet?.Name}`)).toEqual([
      'UPSERT _a1.example.com',
      'UPSERT _a2.www.example.com',
      'UPSERT _a3.origin.example.com',
    ]);
    expect(ctx.recorded.records).toHaveLength(3);
    expect(certificateValidation.outputs(created)).toMatchObject({
      cdnCertificateArn: CDN_ARN,
      originCertificateArn: ORIGIN_ARN,
    });
  });

  it('wait makes no call when find read every certificate ISSUED', async () => {
    acm
      .on(DescribeCertificateCommand, { CertificateArn: CDN_ARN })
      .resolves({ Certificate: { ...cdnPending, Status: 'ISSUED' } });
    acm
      .on(DescribeCertificateCommand, { CertificateArn: ORIGIN_ARN })
      .resolves({ Certificate: { ...originPending, Status: 'ISSUED' } });
    const ctx = ctxWith();
    await certificateValidation.create(ctx, await certificateValidation.desired(ctx));
    const found = await certificateValidation.find(ctx);
    expect(found?.certificates.map((c) => c.status)).toEqual(['ISSUED', 'ISSUED']);
    const reads = acm.commandCalls(DescribeCertificateCommand).length;
    expect(await certificateValidation.wait!(ctx, found!)).toEqual(found);
    expect(acm.commandCalls(DescribeCertificateCommand)).toHaveLength(reads);
  });

  it('a converged stack reads its three validation records in one listing, and a deleted one is still missing', async () => {
    const ctx = ctxWith();
    const desired = await certificateValidation.desired(ctx);
    await certificateValidation.create(ctx, desired);
    route53.resetHistory();
    const found = (await certificateValidation.find(ctxWith({ saved: { ...ctx.saved } })))!;
    expect(route53.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(1);
    expect(found.records.map((r) => r.name).sort()).toEqual(
      [APEX.Name, WWW.Name, ORIGIN.Name].map((n) => n.replace(/\.$/, '')).sort(),
    );
    expect(certificateValidation.diff(desired, found)).toEqual([]);

    zone.sets = zone.sets.filter((s) => s.Name !== ORIGIN.Name);
    const drifted = (await certificateValidation.find(ctxWith({ saved: { ...ctx.saved } })))!;
    expect(certificateValidation.diff(desired, drifted).map((c) => c.field)).toEqual([
      'record _a3.origin.example.com',
    ]);
  });

  it('find right after desired with the same context describes no certificate again', async () => {
    const ctx = ctxWith();
    await certificateValidation.desired(ctx);
    const reads = acm.commandCalls(DescribeCertificateCommand).length;
    const found = await certificateValidation.find(ctx);
    expect(acm.commandCalls(DescribeCertificateCommand)).toHaveLength(reads);
    expect(found).toBeUndefined();
    await certificateValidation.find(ctx);
    expect(acm.commandCalls(DescribeCertificateCommand)).toHaveLength(reads + 2);
  });

  it('waits from PENDING_VALIDATION to ISSUED, polling through a throttled describe', async () => {
    acm
      .on(DescribeCertificateCommand, { CertificateArn: CDN_ARN })
      .resolvesOnce({ Certificate: cdnPending }) // desired
      .resolvesOnce({ Certificate: cdnPending }) // first poll
      .rejectsOnce(throttling())
      .resolves({ Certificate: { ...cdnPending, Status: 'ISSUED' } });
    acm
      .on(DescribeCertificateCommand, { CertificateArn: ORIGIN_ARN })
      .resolves({ Certificate: { ...originPending, Status: 'ISSUED' } });
    const ctx = ctxWith();
    const created = await certificateValidation.create(ctx, await certificateValidation.desired(ctx));
    const ready = await certificateValidation.wait!(ctx, created);
    expect(ready.certificates.map((c) => `${c.key} ${c.status}`)).toEqual([
      'certificate.cdn ISSUED',
      'certificate.origin ISSUED',
    ]);
    const waited = ctx.messages.filter((m) => m.startsWith('waiting for ACM to issue'));
    expect(waited.some((m) => m.includes('certificate.cdn PENDING_VALIDATION'))).toBe(true);
    expect(waited.some((m) => m.includes('throttled'))).toBe(true);
    expect(waited.every((m) => m.endsWith('(usually 5–30 minutes once public DNS reaches the zone)'))).toBe(
      true,
    );
  });

  it('on timeout lists the CNAMEs and compares the zone name servers with the public delegation', async () => {
    dns.resolveNs = () => Promise.resolve(['ns1.registrar.net.', 'ns2.registrar.net.']);
    const ctx = ctxWith({ minutes: 0.001 });
    const created = await certificateValidation.create(ctx, await certificateValidation.desired(ctx));
    const error = await certificateValidation.wait!(ctx, created).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'WorkError',
      message: expect.stringMatching(
        /^timed out after .* waiting for certificate validation \(last status: certificate\.cdn PENDING_VALIDATION/,
      ),
    });
    const hint = (error as { hint: string }).hint;
    expect(hint).toContain('_a1.example.com CNAME _v1.acm-validations.aws');
    expect(hint).toContain('_a3.origin.example.com CNAME _v3.acm-validations.aws');
    expect(hint).toContain(
      "example.com is delegated to ns1.registrar.net, ns2.registrar.net, but the hosted zone's name servers are ns-1.awsdns-01.org, ns-2.awsdns-02.com",
    );
    expect(dns.options).toEqual([expect.objectContaining({ tries: 1 })]);
  });

  it('when public DNS cannot be reached the hint says so instead of hanging', async () => {
    dns.resolveNs = () =>
      Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const ctx = ctxWith({ minutes: 0.001 });
    const created = await certificateValidation.create(ctx, await certificateValidation.desired(ctx));
    await expect(certificateValidation.wait!(ctx, created)).rejects.toMatchObject({
      hint: expect.stringContaining(
        'could not look up the public NS delegation of example.com (ECONNREFUSED)',
      ),
    });
  });

  it('a lookup that never answers ends at its own deadline', async () => {
    dns.resolveNs = () => new Promise<string[]>(() => {});
    // The default deadline passes in fake time.
    expect(await withFakeTime(() => publicDelegation('example.com'))).toEqual({
      state: 'unknown',
      reason: 'no answer within 6.5s',
    });
  });

  it('no such name is believed only when public DNS answers for the top-level domain', async () => {
    const nxdomain = () =>
      Promise.reject(Object.assign(new Error('queryNs ENOTFOUND'), { code: 'ENOTFOUND' }));
    dns.resolveNs = (name) => (name === 'com' ? Promise.resolve(['a.gtld-servers.net']) : nxdomain());
    expect(await publicDelegation('example.com')).toEqual({ state: 'undelegated' });
    expect(compareDelegation('example.com', ZONE_NS, { state: 'undelegated' })).toContain(
      "public DNS has no NS delegation for example.com: at the registrar, set the name servers to the zone's: ns-1.awsdns-01.org",
    );

    dns.resolveNs = nxdomain;
    const offline = await publicDelegation('example.com');
    expect(offline).toEqual({
      state: 'unknown',
      reason: 'public DNS does not answer here (ENOTFOUND for .com)',
    });
    expect(compareDelegation('example.com', ZONE_NS, offline)).toMatch(/^could not look up/);
  });

  it('a delegation to the zone itself says the records may still be propagating', () => {
    const text = compareDelegation('example.com', ZONE_NS, {
      state: 'delegated',
      nameServers: [...ZONE_NS].sort(),
    });
    expect(text).toContain('delegated to the zone');
  });

  it('a failed certificate ends the wait at once with the reason', async () => {
    const failed = { ...cdnPending, Status: 'FAILED' as const, FailureReason: 'CAA_ERROR' as const };
    acm
      .on(DescribeCertificateCommand, { CertificateArn: CDN_ARN })
      .resolvesOnce({ Certificate: cdnPending })
      .resolves({ Certificate: failed });
    const ctx = ctxWith({ minutes: 5 });
    const created = await certificateValidation.create(ctx, await certificateValidation.desired(ctx));
    await expect(certificateValidation.wait!(ctx, created)).rejects.toMatchObject({
      message: 'certificate validation failed: certificate.cdn FAILED (CAA_ERROR)',
    });
    // Failed before its records were published: no two-minute wait for records that never come.
    acm.on(DescribeCertificateCommand, { CertificateArn: CDN_ARN }).resolves({
      Certificate: { ...failed, DomainValidationOptions: [{ DomainName: 'example.com' }] },
    });
    await expect(certificateValidation.desired(ctx)).rejects.toMatchObject({
      message: "publication of ACM's DNS validation records failed: certificate.cdn FAILED",
    });
  });

  it('find sees records deleted behind its back as missing; plan before the certificates exist finds nothing', async () => {
    const ctx = ctxWith();
    const desired = await certificateValidation.desired(ctx);
    await certificateValidation.create(ctx, desired);
    zone.sets = zone.sets.filter((s) => s.Name !== WWW.Name);
    const drifted = (await certificateValidation.find(ctxWith({ saved: { ...ctx.saved } })))!;
    expect(certificateValidation.diff(desired, drifted)).toEqual([
      {
        field: 'record _a2.www.example.com',
        from: 'missing',
        to: '_v2.acm-validations.aws',
        action: 'update',
      },
    ]);
    expect(await certificateValidation.health!(ctx, drifted)).toMatchObject({
      state: 'unhealthy',
      detail: expect.stringContaining('_a2.www.example.com'),
    });

    const notYet = testContext({
      key: 'validation',
      options: { readOnly: true },
      outputs: {
        zone: outputs.zone,
        'certificate.cdn': unknown,
        'certificate.origin': unknown,
      },
    });
    expect(await certificateValidation.find(notYet)).toBeUndefined();
  });

  it('an update removes the records of names no certificate has any more, in the same batch', async () => {
    const old = { name: '_a9.old.example.com', type: 'CNAME', value: '_v9.acm-validations.aws' };
    zone.sets.push({
      Name: '_a9.old.example.com.',
      Type: 'CNAME',
      TTL: 300,
      ResourceRecords: [{ Value: old.value }],
    });
    const ctx = ctxWith({ saved: { zoneId: 'ZONE1', records: [old] } });
    const desired = await certificateValidation.desired(ctx);
    const found = (await certificateValidation.find(ctx))!;
    await certificateValidation.update(ctx, desired, found, certificateValidation.diff(desired, found));
    expect(zone.batches).toHaveLength(1);
    expect(zone.batches[0]?.map((c) => `${c.Action} ${c.ResourceRecordSet?.Name}`)).toEqual([
      'DELETE _a9.old.example.com.',
      'UPSERT _a1.example.com',
      'UPSERT _a2.www.example.com',
      'UPSERT _a3.origin.example.com',
    ]);
    expect(ctx.recorded.records).not.toContainEqual(old);
  });

  it('delete removes only the records with exactly the value tekamolo wrote', async () => {
    const ctx = ctxWith();
    await certificateValidation.create(ctx, await certificateValidation.desired(ctx));
    const changed = {
      Name: WWW.Name,
      Type: 'CNAME' as const,
      TTL: 60,
      ResourceRecords: [{ Value: 'someone-else.example.net' }],
    };
    zone.sets = zone.sets.map((s) => (s.Name === WWW.Name ? changed : s));
    zone.sets.push({
      Name: '_other.example.com.',
      Type: 'CNAME',
      TTL: 300,
      ResourceRecords: [{ Value: 'x.example.net' }],
    });

    const found = (await certificateValidation.find(ctxWith({ saved: { ...ctx.saved } })))!;
    await certificateValidation.delete(ctx, found);
    expect(zone.sets.map((s) => s.Name).sort()).toEqual(['_a2.www.example.com.', '_other.example.com.']);
    expect(zone.sets.find((s) => s.Name === WWW.Name)).toEqual(changed);
  });

  it('a record already gone during delete counts as deleted', async () => {
    const ctx = ctxWith();
    await certificateValidation.create(ctx, await certificateValidation.desired(ctx));
    const found = (await certificateValidation.find(ctxWith({ saved: { ...ctx.saved } })))!;
    zone.sets = zone.sets.filter((s) => s.Name !== APEX.Name);
    await certificateValidation.delete(ctx, found);
    expect(zone.sets.filter((s) => s.Type === 'CNAME')).toEqual([]);
  });

  it('ChangeResourceRecordSets errors other than not-found are thrown', async () => {
    route53
      .on(ChangeResourceRecordSetsCommand)
      .rejects(awsError('InvalidChangeBatch', 'RRSet of type CNAME with DNS name x is not permitted'));
    const ctx = ctxWith();
    await expect(
      certificateValidation.create(ctx, await certificateValidation.desired(ctx)),
    ).rejects.toMatchObject({
      name: 'InvalidChangeBatch',
    });
    expect(ctx.recorded.records).toBeUndefined();
  });
});
