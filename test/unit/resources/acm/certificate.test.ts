import {
  ACMClient,
  AddTagsToCertificateCommand,
  type CertificateDetail,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
  RequestCertificateCommand,
} from '@aws-sdk/client-acm';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cdnCertificate,
  idempotencyToken,
  originCertificate,
} from '../../../../src/resources/acm/certificate.js';
import { testConfig, testContext } from '../../../support/context.js';
import { awsError, throttling } from '../../../support/fake-route53.js';

const CDN_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/cdn-1';
const ORIGIN_ARN = 'arn:aws:acm:eu-central-1:123456789012:certificate/origin-1';
const RECORD = { Name: '_a1.example.com.', Type: 'CNAME' as const, Value: '_b2.acm-validations.aws.' };

function detail(overrides: Partial<CertificateDetail> = {}): CertificateDetail {
  return {
    CertificateArn: CDN_ARN,
    DomainName: 'example.com',
    SubjectAlternativeNames: ['www.example.com', 'example.com'],
    Status: 'ISSUED',
    NotAfter: new Date('2027-03-04T00:00:00Z'),
    InUseBy: [],
    DomainValidationOptions: [
      { DomainName: 'example.com', ValidationStatus: 'SUCCESS', ResourceRecord: RECORD },
      {
        DomainName: 'www.example.com',
        ValidationStatus: 'SUCCESS',
        ResourceRecord: { ...RECORD, Name: '_c3.www.example.com.' },
      },
    ],
    ...overrides,
  };
}

const ourTags = [
  { Key: 'tekamolo:stack', Value: 'demo' },
  { Key: 'tekamolo:resource', Value: 'certificate.cdn' },
];

describe('certificates', () => {
  let acm: AwsClientStub<ACMClient>;

  beforeEach(() => {
    acm = mockClient(ACMClient);
    acm.on(ListTagsForCertificateCommand).resolves({ Tags: ourTags });
  });
  afterEach(() => {
    acm.reset();
    acm.restore();
  });

  const cdnCtx = (saved = {}) => testContext({ key: 'certificate.cdn', saved });

  describe('idempotency token', () => {
    it('is at most 32 word characters, stable across name order, and changes with the names or key', () => {
      const token = idempotencyToken('demo', 'certificate.cdn', ['www.example.com', 'example.com']);
      expect(token).toMatch(/^\w{1,32}$/);
      expect(idempotencyToken('demo', 'certificate.cdn', ['example.com', 'www.example.com'])).toBe(token);
      expect(idempotencyToken('demo', 'certificate.cdn', ['example.com'])).not.toBe(token);
      expect(idempotencyToken('demo', 'certificate.origin', ['example.com', 'www.example.com'])).not.toBe(
        token,
      );
      expect(idempotencyToken('other', 'certificate.cdn', ['example.com', 'www.example.com'])).not.toBe(
        token,
      );
    });
  });

  describe('create', () => {
    it('requests a DNS-validated certificate in us-east-1 with token and tags, and records the ARN first', async () => {
      const ctx = cdnCtx();
      let savedBeforeRequest: unknown;
      acm.on(RequestCertificateCommand).callsFake(async () => {
        savedBeforeRequest = ctx.recorded.request;
        return { CertificateArn: CDN_ARN };
      });
      acm.on(DescribeCertificateCommand).resolves({ Certificate: detail({ Status: 'PENDING_VALIDATION' }) });
      const actual = await cdnCertificate.create(ctx, await cdnCertificate.desired(ctx));

      const request = acm.commandCalls(RequestCertificateCommand)[0]!;
      expect(await request.thisValue.config.region()).toBe('us-east-1');
      expect(request.args[0].input).toMatchObject({
        DomainName: 'example.com',
        SubjectAlternativeNames: ['example.com', 'www.example.com'],
        ValidationMethod: 'DNS',
        IdempotencyToken: expect.stringMatching(/^\w{32}$/),
        Tags: expect.arrayContaining(ourTags),
      });
      // The token is in state before the request, so a create retried after a crash reuses it.
      expect(savedBeforeRequest).toEqual({
        token: request.args[0].input.IdempotencyToken,
        names: ['example.com', 'www.example.com'],
      });
      expect(ctx.recorded).toMatchObject({ arn: CDN_ARN, region: 'us-east-1' });
      expect(cdnCertificate.outputs(actual)).toEqual({
        arn: CDN_ARN,
        domainNames: ['example.com', 'www.example.com'],
        status: 'PENDING_VALIDATION',
      });
    });

    it('a saved token is reused for the same names, and a new one is made for other names', async () => {
      acm.on(RequestCertificateCommand).resolves({ CertificateArn: CDN_ARN });
      acm.on(DescribeCertificateCommand).resolves({ Certificate: detail({ Status: 'PENDING_VALIDATION' }) });
      const request = { token: 'abc123', names: ['www.example.com', 'example.com'] };
      const retried = cdnCtx({ request });
      await cdnCertificate.create(retried, await cdnCertificate.desired(retried));
      expect(acm.commandCalls(RequestCertificateCommand)[0]!.args[0].input.IdempotencyToken).toBe('abc123');

      const renamed = testContext({
        key: 'certificate.cdn',
        saved: { request },
        config: testConfig({ aliases: ['app.example.com'] }),
      });
      await cdnCertificate.create(renamed, await cdnCertificate.desired(renamed));
      const second = acm.commandCalls(RequestCertificateCommand)[1]!.args[0].input.IdempotencyToken;
      expect(second).not.toBe('abc123');
      expect(renamed.recorded.request).toEqual({ token: second, names: ['example.com', 'app.example.com'] });
    });

    it('the origin certificate is requested in the stack region for the origin name only', async () => {
      acm.on(RequestCertificateCommand).resolves({ CertificateArn: ORIGIN_ARN });
      acm.on(DescribeCertificateCommand).rejects(awsError('ResourceNotFoundException'));
      const ctx = testContext({ key: 'certificate.origin' });
      const actual = await originCertificate.create(ctx, await originCertificate.desired(ctx));
      const request = acm.commandCalls(RequestCertificateCommand)[0]!;
      expect(await request.thisValue.config.region()).toBe('eu-central-1');
      expect(request.args[0].input.DomainName).toBe('origin.example.com');
      // A describe that does not see the new certificate yet still gives a usable actual state.
      expect(actual).toMatchObject({ arn: ORIGIN_ARN, status: 'PENDING_VALIDATION' });
      expect(ctx.recorded.arn).toBe(ORIGIN_ARN);
    });

    it('a token that still answers with a FAILED certificate is followed by a fresh request', async () => {
      const fresh = 'arn:aws:acm:us-east-1:123456789012:certificate/cdn-2';
      acm
        .on(RequestCertificateCommand)
        .resolvesOnce({ CertificateArn: CDN_ARN })
        .resolves({ CertificateArn: fresh });
      acm
        .on(DescribeCertificateCommand, { CertificateArn: CDN_ARN })
        .resolves({ Certificate: detail({ Status: 'FAILED' }) });
      acm
        .on(DescribeCertificateCommand, { CertificateArn: fresh })
        .resolves({ Certificate: detail({ CertificateArn: fresh, Status: 'PENDING_VALIDATION' }) });
      const ctx = cdnCtx();
      const actual = await cdnCertificate.create(ctx, await cdnCertificate.desired(ctx));
      expect(actual).toMatchObject({ arn: fresh, status: 'PENDING_VALIDATION' });
      expect(ctx.recorded.arn).toBe(fresh);
      const tokens = acm.commandCalls(RequestCertificateCommand).map((c) => c.args[0].input.IdempotencyToken);
      expect(new Set(tokens).size).toBe(2);
    });

    it('an ACM quota hit is a UserError saying what to do', async () => {
      acm
        .on(RequestCertificateCommand)
        .rejects(awsError('LimitExceededException', 'Cannot request more certificates'));
      const ctx = cdnCtx();
      await expect(cdnCertificate.create(ctx, await cdnCertificate.desired(ctx))).rejects.toMatchObject({
        name: 'UserError',
        message: expect.stringContaining('ACM quota reached in us-east-1'),
        hint: expect.stringContaining('Service Quotas'),
      });
      expect(ctx.recorded.arn).toBeUndefined();
    });

    it('in us-east-1 there is no origin certificate and the CloudFront one covers the origin name', async () => {
      const config = testConfig({ region: 'us-east-1' });
      expect(originCertificate.enabled?.(config)).toBe(false);
      const desired = await cdnCertificate.desired(testContext({ key: 'certificate.cdn', config }));
      expect(desired.domainNames).toContain('origin.example.com');
    });
  });

  describe('find', () => {
    it('reads the certificate saved in state, in its region', async () => {
      acm.on(DescribeCertificateCommand).resolves({ Certificate: detail() });
      const actual = await cdnCertificate.find(cdnCtx({ arn: CDN_ARN, region: 'us-east-1' }));
      expect(actual?.arn).toBe(CDN_ARN);
      expect(acm.commandCalls(ListCertificatesCommand)).toHaveLength(0);
    });

    it('without state: lists certificates (paged) and adopts the one with our tags and names', async () => {
      const theirs = 'arn:aws:acm:us-east-1:123456789012:certificate/theirs';
      acm
        .on(ListCertificatesCommand)
        .resolvesOnce({
          CertificateSummaryList: [
            { CertificateArn: theirs, DomainName: 'example.com' },
            { CertificateArn: 'arn:unrelated', DomainName: 'other.org' },
          ],
          NextToken: 'page2',
        })
        .resolvesOnce({ CertificateSummaryList: [{ CertificateArn: CDN_ARN, DomainName: 'example.com' }] });
      acm
        .on(ListTagsForCertificateCommand, { CertificateArn: theirs })
        .resolves({ Tags: [{ Key: 'tekamolo:stack', Value: 'other' }] });
      acm.on(DescribeCertificateCommand).resolves({ Certificate: detail() });

      const actual = await cdnCertificate.find(cdnCtx());
      expect(actual?.arn).toBe(CDN_ARN);
      expect(acm.commandCalls(ListCertificatesCommand)[0]?.args[0].input.CertificateStatuses).toEqual([
        'PENDING_VALIDATION',
        'ISSUED',
        'INACTIVE',
      ]);
      expect(acm.commandCalls(ListCertificatesCommand)[1]?.args[0].input.NextToken).toBe('page2');
      const tagged = acm
        .commandCalls(ListTagsForCertificateCommand)
        .map((c) => c.args[0].input.CertificateArn);
      expect(tagged).not.toContain('arn:unrelated');
    });

    it('a saved certificate that is gone falls back to the listing; nothing found is undefined', async () => {
      acm.on(DescribeCertificateCommand).rejects(awsError('ResourceNotFoundException'));
      acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [] });
      expect(await cdnCertificate.find(cdnCtx({ arn: CDN_ARN }))).toBeUndefined();
    });

    it('throttling is surfaced', async () => {
      acm.on(ListCertificatesCommand).rejects(throttling());
      await expect(cdnCertificate.find(cdnCtx())).rejects.toMatchObject({ name: 'Throttling' });
    });
  });

  describe('diff', () => {
    it('same names in another order: no change; other names: replace; tags not read: unknown', async () => {
      acm.on(DescribeCertificateCommand).resolves({ Certificate: detail() });
      const ctx = cdnCtx({ arn: CDN_ARN });
      const actual = (await cdnCertificate.find(ctx))!;
      expect(cdnCertificate.diff(await cdnCertificate.desired(ctx), actual)).toEqual([]);

      const renamed = testContext({
        key: 'certificate.cdn',
        config: testConfig({ aliases: ['app.example.com'] }),
      });
      const changes = cdnCertificate.diff(await cdnCertificate.desired(renamed), {
        ...actual,
        tags: undefined,
      });
      expect(changes).toEqual([
        expect.objectContaining({
          field: 'domainNames',
          action: 'replace',
          to: ['app.example.com', 'example.com'],
        }),
      ]);
    });

    it('a certificate ACM gave up on (VALIDATION_TIMED_OUT) is replaced', async () => {
      acm
        .on(DescribeCertificateCommand)
        .resolves({ Certificate: detail({ Status: 'VALIDATION_TIMED_OUT' }) });
      const ctx = cdnCtx({ arn: CDN_ARN });
      const actual = (await cdnCertificate.find(ctx))!;
      expect(cdnCertificate.diff(await cdnCertificate.desired(ctx), actual)).toEqual([
        expect.objectContaining({ field: 'status', from: 'VALIDATION_TIMED_OUT', action: 'replace' }),
      ]);
    });

    it('a missing tag is an in-place update', async () => {
      acm.on(DescribeCertificateCommand).resolves({ Certificate: detail() });
      acm.on(ListTagsForCertificateCommand).resolves({ Tags: ourTags });
      const ctx = testContext({
        key: 'certificate.cdn',
        config: testConfig({ tags: { team: 'web' } }),
        saved: { arn: CDN_ARN },
      });
      const actual = (await cdnCertificate.find(ctx))!;
      const changes = cdnCertificate.diff(await cdnCertificate.desired(ctx), actual);
      expect(changes).toEqual([expect.objectContaining({ field: 'tags', action: 'update' })]);
      acm.on(AddTagsToCertificateCommand).resolves({});
      await cdnCertificate.update(ctx, await cdnCertificate.desired(ctx), actual, changes);
      expect(acm.commandCalls(AddTagsToCertificateCommand)[0]?.args[0].input.Tags).toContainEqual({
        Key: 'team',
        Value: 'web',
      });
    });
  });

  describe('delete', () => {
    it('retries while ACM says ResourceInUseException, naming the user, then deletes', async () => {
      const listener = 'arn:aws:elasticloadbalancing:eu-central-1:123456789012:listener/app/demo-alb/1/2';
      acm
        .on(DeleteCertificateCommand)
        .rejectsOnce(awsError('ResourceInUseException', 'Certificate is in use'))
        .rejectsOnce(awsError('ResourceInUseException', 'Certificate is in use'))
        .resolves({});
      acm.on(DescribeCertificateCommand).resolves({ Certificate: detail({ InUseBy: [listener] }) });
      const ctx = cdnCtx();
      await cdnCertificate.delete(ctx, { ...detailActual(), id: CDN_ARN });
      expect(acm.commandCalls(DeleteCertificateCommand)).toHaveLength(3);
      expect(ctx.messages.join('\n')).toContain(`in use by ${listener}`);
    });

    it('times out naming what still uses the certificate', async () => {
      const distribution = 'arn:aws:cloudfront::123456789012:distribution/E1';
      acm.on(DeleteCertificateCommand).rejects(awsError('ResourceInUseException'));
      acm.on(DescribeCertificateCommand).resolves({ Certificate: detail({ InUseBy: [distribution] }) });
      const ctx = testContext({
        key: 'certificate.cdn',
        config: testConfig({ waits: { pollSeconds: 0.01, certificateMinutes: 0.002 } }),
      });
      await expect(cdnCertificate.delete(ctx, { ...detailActual(), id: CDN_ARN })).rejects.toMatchObject({
        name: 'WorkError',
        message: expect.stringContaining(`in use by ${distribution}`),
      });
    });

    it('a certificate already gone counts as deleted; other errors are thrown', async () => {
      acm
        .on(DeleteCertificateCommand)
        .rejectsOnce(awsError('ResourceNotFoundException'))
        .rejectsOnce(throttling());
      await cdnCertificate.delete(cdnCtx(), { ...detailActual(), id: CDN_ARN });
      await expect(cdnCertificate.delete(cdnCtx(), { ...detailActual(), id: CDN_ARN })).rejects.toMatchObject(
        {
          name: 'Throttling',
        },
      );
    });
  });

  describe('status', () => {
    it('pending: the CNAMEs; issued: the expiry date; failed: unhealthy with the reason', async () => {
      const ctx = cdnCtx();
      const pending = { ...detailActual(), status: 'PENDING_VALIDATION' };
      expect(await cdnCertificate.health!(ctx, pending)).toEqual({
        state: 'pending',
        detail: expect.stringContaining('_a1.example.com CNAME _b2.acm-validations.aws'),
      });
      expect(await cdnCertificate.describe!(ctx, detailActual())).toBe('ISSUED, expires 2027-03-04');
      expect(await cdnCertificate.health!(ctx, detailActual())).toMatchObject({ state: 'ok' });
      const failed = { ...detailActual(), status: 'FAILED', failureReason: 'CAA_ERROR' };
      expect(await cdnCertificate.health!(ctx, failed)).toEqual({
        state: 'unhealthy',
        detail: expect.stringContaining('FAILED (CAA_ERROR)'),
      });
    });
  });
});

function detailActual() {
  return {
    id: CDN_ARN,
    arn: CDN_ARN,
    region: 'us-east-1',
    domainNames: ['example.com', 'www.example.com'],
    status: 'ISSUED',
    notAfter: '2027-03-04T00:00:00.000Z',
    inUseBy: [],
    validationRecords: [{ name: '_a1.example.com', type: 'CNAME', value: '_b2.acm-validations.aws' }],
    recordsMissingFor: [],
  };
}
