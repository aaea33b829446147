import { ACMClient, type CertificateDetail, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import { Route53Client } from '@aws-sdk/client-route-53';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { certificateValidation } from '../../../../src/resources/acm/certificate-validation.js';
import { testConfig, testContext } from '../../../support/context.js';
import { type FakeZone, fakeZone } from '../../../support/fake-route53.js';

/**
 * ACM asks every certificate of an account for the same name (and `*.name`) to publish the same CNAME.
 * A validation record already in the zone before tekamolo first wrote it belongs to another certificate
 * too (a wildcard the account had before): destroy must leave it, or that certificate's next renewal
 * fails months later.
 */

const CDN_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/cdn-1';
const APEX = { Name: '_a1.example.com.', Type: 'CNAME' as const, Value: '_v1.acm-validations.aws.' };
const WWW = { Name: '_a2.www.example.com.', Type: 'CNAME' as const, Value: '_v2.acm-validations.aws.' };

const cdn: CertificateDetail = {
  CertificateArn: CDN_ARN,
  DomainName: 'example.com',
  SubjectAlternativeNames: ['example.com', 'www.example.com'],
  Status: 'PENDING_VALIDATION',
  DomainValidationOptions: [
    { DomainName: 'example.com', ResourceRecord: APEX },
    { DomainName: 'www.example.com', ResourceRecord: WWW },
  ],
};

const outputs = {
  zone: { zoneId: 'ZONE1', name: 'example.com', nameServers: [] },
  'certificate.cdn': {
    arn: CDN_ARN,
    domainNames: ['example.com', 'www.example.com'],
    status: 'PENDING_VALIDATION',
  },
};

describe('validation records on destroy', () => {
  let acm: AwsClientStub<ACMClient>;
  let route53: AwsClientStub<Route53Client>;
  let zone: FakeZone;

  beforeEach(() => {
    acm = mockClient(ACMClient);
    route53 = mockClient(Route53Client);
    zone = fakeZone(route53);
    acm.on(DescribeCertificateCommand).resolves({ Certificate: cdn });
  });
  afterEach(() => {
    acm.reset();
    acm.restore();
    route53.reset();
    route53.restore();
  });

  const ctxWith = (saved: Record<string, unknown> = {}) =>
    testContext({
      key: 'validation',
      outputs,
      saved,
      config: testConfig({ region: 'us-east-1', waits: { pollSeconds: 0.01, certificateMinutes: 0.05 } }),
    });
  const cname = (r: typeof APEX) => ({
    Name: r.Name,
    Type: r.Type,
    TTL: 300,
    ResourceRecords: [{ Value: r.Value }],
  });

  it('a record another certificate published first stays; the one tekamolo added goes', async () => {
    zone.sets.push(cname(APEX));
    const ctx = ctxWith();
    await certificateValidation.create(ctx, await certificateValidation.desired(ctx));
    expect(zone.sets.map((s) => s.Name).sort()).toEqual([APEX.Name, WWW.Name]);

    // Later runs (a lost state file aside) still know which one was there first.
    const again = ctxWith({ ...ctx.recorded });
    await certificateValidation.update(
      again,
      await certificateValidation.desired(again),
      (await certificateValidation.find(again))!,
      [],
    );

    const last = ctxWith({ ...again.recorded });
    await certificateValidation.delete(last, (await certificateValidation.find(last))!);
    expect(zone.sets).toEqual([expect.objectContaining({ Name: APEX.Name, Type: 'CNAME' })]);
  });

  it('records tekamolo wrote itself, even when a crash came between the write and the state, all go', async () => {
    const first = ctxWith();
    await certificateValidation.create(first, await certificateValidation.desired(first));
    // The state as a crash right after the write leaves it: the names announced, the records not saved.
    const crashed = ctxWith({
      foundBeforeUs: [],
      writing: [APEX.Name, WWW.Name].map((n) => n.replace(/\.$/, '')),
    });
    await certificateValidation.update(
      crashed,
      await certificateValidation.desired(crashed),
      (await certificateValidation.find(crashed))!,
      [],
    );

    const last = ctxWith({ ...crashed.recorded });
    await certificateValidation.delete(last, (await certificateValidation.find(last))!);
    expect(zone.sets).toEqual([]);
  });
});
