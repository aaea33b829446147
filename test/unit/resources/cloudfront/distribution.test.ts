import {
  CloudFrontClient,
  CloudFrontServiceException,
  CreateDistributionWithTagsCommand,
  DeleteDistributionCommand,
  type Distribution,
  type DistributionList,
  type DistributionSummary,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  ListDistributionsCommand,
  ListInvalidationsCommand,
  ListTagsForResourceCommand,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../../src/config/schema.js';
import { UserError, WorkError } from '../../../../src/errors.js';
import {
  type ActualDistribution,
  type DistributionDesired,
  distribution,
} from '../../../../src/resources/cloudfront/distribution.js';
import { applySettings, knownSettings } from '../../../../src/resources/cloudfront/distribution-settings.js';
import { type TestContext, testConfig, testContext } from '../../../support/context.js';

const FUNCTION_ARN = 'arn:aws:cloudfront::123456789012:function/demo-routing';
const CERT_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/cdn';
const ID = 'E2EXAMPLE';
const ARN = `arn:aws:cloudfront::123456789012:distribution/${ID}`;
/** Timeouts of a few polls, so that timeout tests stay quick. */
const SHORT_WAITS = { pollSeconds: 0.01, certificateMinutes: 0.002, distributionMinutes: 0.002 };

function awsError(name: string, message = name): CloudFrontServiceException {
  return new CloudFrontServiceException({ name, $fault: 'client', $metadata: {}, message });
}

function context(
  opts: { saved?: Record<string, unknown>; config?: Partial<ConfigInput>; wait?: boolean } = {},
) {
  return testContext({
    key: 'distribution',
    saved: opts.saved ?? {},
    config: testConfig(opts.config ?? {}),
    options: { wait: opts.wait ?? true },
    outputs: {
      bucket: {
        name: 'demo-site',
        arn: 'arn:aws:s3:::demo-site',
        region: 'eu-central-1',
        regionalDomainName: 'demo-site.s3.eu-central-1.amazonaws.com',
      },
      oac: { id: 'OAC123' },
      validation: { records: [], cdnCertificateArn: CERT_ARN, originCertificateArn: 'arn:origin' },
      listener: { arn: 'arn:listener', originHeaderName: 'x-origin-secret', originSecret: 's3cr3t' },
      spaFunction: { name: 'demo-routing', arn: FUNCTION_ARN },
    },
  });
}

/** What AWS returns for a distribution built from `desired`, with overrides. */
function awsDistribution(desired: DistributionDesired, status = 'Deployed', enabled = true): Distribution {
  const config = applySettings(
    undefined,
    { ...knownSettings(desired.settings), enabled },
    {
      callerReference: desired.callerReference,
      comment: desired.comment,
    },
  );
  return {
    Id: ID,
    ARN: ARN,
    DomainName: 'd111.cloudfront.net',
    Status: status,
    DistributionConfig: config,
  } as Distribution;
}

/** One page of ListDistributions with the given summaries. */
function list(items: Partial<DistributionSummary>[]): DistributionList {
  return {
    Items: items as DistributionSummary[],
    IsTruncated: false,
    Marker: '',
    MaxItems: 100,
    Quantity: items.length,
  };
}

function actualOf(desired: DistributionDesired, status = 'Deployed', enabled = true): ActualDistribution {
  return {
    id: ID,
    arn: ARN,
    domainName: 'd111.cloudfront.net',
    status,
    settings: { ...knownSettings(desired.settings), enabled },
    tags: { ...desired.tags },
  };
}

describe('distribution', () => {
  const cf = mockClient(CloudFrontClient);
  let ctx: TestContext;
  let desired: DistributionDesired;

  beforeEach(async () => {
    cf.reset();
    ctx = context();
    desired = await distribution.desired(ctx);
  });
  afterEach(() => {
    cf.reset();
  });

  describe('desired and create', () => {
    it('builds two origins, the api behavior and the routing function on the default behavior only', async () => {
      cf.on(CreateDistributionWithTagsCommand).resolves({
        Distribution: awsDistribution(desired, 'InProgress'),
        ETag: 'E1',
      });
      await distribution.create(ctx, desired);
      const sent = cf.commandCalls(CreateDistributionWithTagsCommand)[0]!.args[0].input;
      const config = sent.DistributionConfigWithTags!.DistributionConfig!;
      expect(config.Origins?.Items?.map((o) => o.Id)).toEqual(['s3', 'api']);
      const s3 = config.Origins!.Items![0]!;
      expect(s3.OriginAccessControlId).toBe('OAC123');
      expect(s3.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
      const api = config.Origins!.Items![1]!;
      expect(api.DomainName).toBe('origin.example.com');
      expect(api.CustomOriginConfig?.OriginProtocolPolicy).toBe('https-only');
      expect(api.CustomHeaders?.Items).toEqual([{ HeaderName: 'x-origin-secret', HeaderValue: 's3cr3t' }]);
      expect(config.DefaultCacheBehavior?.FunctionAssociations).toEqual({
        Quantity: 1,
        Items: [{ EventType: 'viewer-request', FunctionARN: FUNCTION_ARN }],
      });
      expect(config.DefaultCacheBehavior?.CachePolicyId).toBe('658327ea-f89d-4fab-a63d-7e88639e58f6');
      const behavior = config.CacheBehaviors?.Items?.[0];
      expect(behavior?.PathPattern).toBe('/api/*');
      expect(behavior?.FunctionAssociations?.Quantity).toBe(0);
      expect(behavior?.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
      expect(behavior?.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
      expect(config.ViewerCertificate).toMatchObject({
        ACMCertificateArn: CERT_ARN,
        SSLSupportMethod: 'sni-only',
        MinimumProtocolVersion: 'TLSv1.2_2021',
      });
      expect(config).toMatchObject({
        HttpVersion: 'http2and3',
        IsIPV6Enabled: true,
        Comment: 'tekamolo:demo',
      });
      expect(config.CallerReference).toBe(desired.callerReference);
      expect(sent.DistributionConfigWithTags?.Tags?.Items).toContainEqual({
        Key: 'tekamolo:stack',
        Value: 'demo',
      });
      expect(ctx.recorded).toMatchObject({ id: ID, arn: ARN, domainName: 'd111.cloudfront.net' });
    });

    it('associates no function when routing is none', async () => {
      const none = context({ config: { frontend: { routing: 'none' } } });
      const d = await distribution.desired(none);
      expect(d.settings.routingFunctionArn).toBe('');
      cf.on(CreateDistributionWithTagsCommand).resolves({ Distribution: awsDistribution(d), ETag: 'E1' });
      await distribution.create(none, d);
      const config = cf.commandCalls(CreateDistributionWithTagsCommand)[0]!.args[0].input
        .DistributionConfigWithTags!.DistributionConfig!;
      expect(config.DefaultCacheBehavior?.FunctionAssociations?.Quantity).toBe(0);
    });

    it('derives the same CallerReference for the same inputs and another for another certificate', async () => {
      const again = await distribution.desired(context());
      expect(again.callerReference).toBe(desired.callerReference);
      const other = context();
      (other.output('validation') as { cdnCertificateArn: string }).cdnCertificateArn = 'arn:other';
      expect((await distribution.desired(other)).callerReference).not.toBe(desired.callerReference);
    });

    it('retries InvalidViewerCertificate while a new certificate reaches CloudFront, then creates', async () => {
      cf.on(CreateDistributionWithTagsCommand)
        .rejectsOnce(awsError('InvalidViewerCertificate'))
        .rejectsOnce(awsError('InvalidViewerCertificate'))
        .resolves({ Distribution: awsDistribution(desired, 'InProgress'), ETag: 'E1' });
      const actual = await distribution.create(ctx, desired);
      expect(actual.id).toBe(ID);
      expect(cf.commandCalls(CreateDistributionWithTagsCommand)).toHaveLength(3);
      expect(ctx.messages.filter((m) => m.includes('not yet visible'))).toHaveLength(2);
    });

    it('gives up on InvalidViewerCertificate after a bounded number of attempts with a UserError', async () => {
      cf.on(CreateDistributionWithTagsCommand).rejects(awsError('InvalidViewerCertificate'));
      await expect(distribution.create(ctx, desired)).rejects.toThrow(UserError);
      expect(cf.commandCalls(CreateDistributionWithTagsCommand).length).toBeGreaterThan(1);
      expect(cf.commandCalls(CreateDistributionWithTagsCommand).length).toBeLessThanOrEqual(12);
    });

    it('turns CNAMEAlreadyExists into a UserError naming the aliases and what to do', async () => {
      cf.on(CreateDistributionWithTagsCommand).rejects(awsError('CNAMEAlreadyExists'));
      const error = await distribution.create(ctx, desired).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toContain('example.com, www.example.com');
      expect((error as UserError).hint).toMatch(/other distribution/);
      expect(ctx.recorded.id).toBeUndefined();
    });

    it('lets throttling through untouched: the SDK adaptive retry owns it, not a UserError', async () => {
      cf.on(CreateDistributionWithTagsCommand).rejects(awsError('Throttling', 'Rate exceeded'));
      const error = await distribution.create(ctx, desired).catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(UserError);
      expect((error as Error).name).toBe('Throttling');
      expect(cf.commandCalls(CreateDistributionWithTagsCommand)).toHaveLength(1);
    });

    it('turns a quota error into a UserError', async () => {
      cf.on(CreateDistributionWithTagsCommand).rejects(awsError('TooManyDistributions'));
      await expect(distribution.create(ctx, desired)).rejects.toThrow(/quota/);
    });

    it('takes over the distribution a crashed create made when the CallerReference is refused', async () => {
      cf.on(CreateDistributionWithTagsCommand).rejects(awsError('DistributionAlreadyExists'));
      cf.on(ListDistributionsCommand).resolves({
        DistributionList: list([{ Id: ID, Comment: 'tekamolo:demo' }]),
      });
      cf.on(GetDistributionCommand).resolves({
        Distribution: awsDistribution(desired, 'InProgress'),
        ETag: 'E1',
      });
      cf.on(ListTagsForResourceCommand).resolves({
        Tags: { Items: Object.entries(desired.tags).map(([Key, Value]) => ({ Key, Value })) },
      });
      const actual = await distribution.create(ctx, desired);
      expect(actual.id).toBe(ID);
      expect(ctx.recorded.id).toBe(ID);
      expect(cf.commandCalls(CreateDistributionWithTagsCommand)).toHaveLength(1);
      expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(0);
    });
  });

  it('creates with a fresh CallerReference when the refused one belonged to a deleted distribution', async () => {
    cf.on(CreateDistributionWithTagsCommand).callsFake(async (input) => {
      const reference = input.DistributionConfigWithTags.DistributionConfig.CallerReference;
      if (reference === desired.callerReference) {
        throw awsError(
          'DistributionAlreadyExists',
          'The caller reference that you are using to create a distribution is associated with another distribution. Already exists: EGONE',
        );
      }
      return { Distribution: awsDistribution(desired), ETag: 'E1' };
    });
    cf.on(GetDistributionCommand, { Id: 'EGONE' }).rejects(awsError('NoSuchDistribution'));
    const actual = await distribution.create(ctx, desired);
    expect(actual.id).toBe(ID);
    const references = cf
      .commandCalls(CreateDistributionWithTagsCommand)
      .map((c) => c.args[0].input.DistributionConfigWithTags?.DistributionConfig?.CallerReference);
    expect(references).toHaveLength(2);
    expect(references[0]).toBe(desired.callerReference);
    expect(references[1]).toMatch(new RegExp(`^${desired.callerReference}-\\d+$`));
  });

  describe('find and diff', () => {
    it('finds by comment and marks a distribution without our stack tag foreign', async () => {
      cf.on(ListDistributionsCommand).resolves({
        DistributionList: list([
          { Id: 'EOTHER', Comment: 'other' },
          { Id: ID, Comment: 'tekamolo:demo' },
        ]),
      });
      cf.on(GetDistributionCommand).resolves({ Distribution: awsDistribution(desired), ETag: 'E1' });
      cf.on(ListTagsForResourceCommand).resolves({ Tags: { Items: [] } });
      const found = await distribution.find(ctx);
      expect(found?.id).toBe(ID);
      expect(found?.foreign).toMatch(/no tekamolo:stack tag/);
      expect(cf.commandCalls(GetDistributionCommand)).toHaveLength(1);
    });

    it('finds by the state id first and falls back to the comment when it is gone', async () => {
      const saved = context({ saved: { id: 'EGONE' } });
      cf.on(GetDistributionCommand, { Id: 'EGONE' }).rejects(awsError('NoSuchDistribution'));
      cf.on(ListDistributionsCommand).resolves({ DistributionList: list([]) });
      expect(await distribution.find(saved)).toBeUndefined();
      expect(cf.commandCalls(ListDistributionsCommand)).toHaveLength(1);
    });

    it('treats a field the read did not return as unknown, and an empty one as different', async () => {
      const d = awsDistribution(desired);
      const s3 = d.DistributionConfig!.Origins!.Items![0]!;
      delete s3.OriginAccessControlId;
      delete d.DistributionConfig!.DefaultCacheBehavior!.FunctionAssociations;
      cf.on(GetDistributionCommand).resolves({ Distribution: d, ETag: 'E1' });
      cf.on(ListTagsForResourceCommand).resolves({
        Tags: { Items: Object.entries(desired.tags).map(([Key, Value]) => ({ Key, Value })) },
      });
      const saved = context({ saved: { id: ID } });
      const unknown = (await distribution.find(saved))!;
      expect(distribution.diff(desired, unknown)).toEqual([]);

      const removed = awsDistribution(desired);
      removed.DistributionConfig!.DefaultCacheBehavior!.FunctionAssociations = { Quantity: 0 };
      cf.on(GetDistributionCommand).resolves({ Distribution: removed, ETag: 'E1' });
      const changes = distribution.diff(desired, (await distribution.find(saved))!);
      expect(changes).toEqual([
        { field: 'routingFunctionArn', from: '', to: FUNCTION_ARN, action: 'update' },
      ]);
    });

    it('sees a deleted api origin and behavior, and never shows the secret', async () => {
      const d = awsDistribution(desired);
      d.DistributionConfig!.Origins = { Quantity: 1, Items: [d.DistributionConfig!.Origins!.Items![0]!] };
      d.DistributionConfig!.CacheBehaviors = { Quantity: 0 };
      cf.on(GetDistributionCommand).resolves({ Distribution: d, ETag: 'E1' });
      cf.on(ListTagsForResourceCommand).resolves({ Tags: { Items: [] } });
      const changes = distribution.diff(desired, (await distribution.find(context({ saved: { id: ID } })))!);
      const fields = changes.map((c) => c.field);
      expect(fields).toEqual(
        expect.arrayContaining(['apiOriginDomain', 'apiOriginSecret', 'apiPathPattern', 'tags']),
      );
      expect(changes.find((c) => c.field === 'apiOriginSecret')).toMatchObject({
        from: '(secret)',
        to: '(secret)',
      });
      expect(JSON.stringify(changes)).not.toContain('s3cr3t');
    });
  });

  describe('update', () => {
    it('puts the fresh config with IfMatch and retries once with a fresh ETag on PreconditionFailed', async () => {
      const drifted = {
        ...awsDistribution(desired),
        DistributionConfig: {
          ...awsDistribution(desired).DistributionConfig!,
          PriceClass: 'PriceClass_All' as const,
        },
      };
      cf.on(GetDistributionConfigCommand)
        .resolvesOnce({ DistributionConfig: drifted.DistributionConfig, ETag: 'STALE' })
        .resolves({ DistributionConfig: drifted.DistributionConfig, ETag: 'FRESH' });
      cf.on(UpdateDistributionCommand, { IfMatch: 'STALE' }).rejects(awsError('PreconditionFailed'));
      cf.on(UpdateDistributionCommand, { IfMatch: 'FRESH' }).resolves({
        Distribution: awsDistribution(desired, 'InProgress'),
        ETag: 'NEXT',
      });
      const actual = {
        ...actualOf(desired),
        settings: { ...knownSettings(desired.settings), priceClass: 'PriceClass_All' },
      };
      const changes = distribution.diff(desired, actual);
      expect(changes.map((c) => c.field)).toEqual(['priceClass']);
      const next = await distribution.update(ctx, desired, actual, changes);
      expect(next.status).toBe('InProgress');
      const updates = cf.commandCalls(UpdateDistributionCommand);
      expect(updates.map((c) => c.args[0].input.IfMatch)).toEqual(['STALE', 'FRESH']);
      expect(updates[1]!.args[0].input.DistributionConfig?.PriceClass).toBe('PriceClass_100');
      expect(updates[1]!.args[0].input.DistributionConfig?.CallerReference).toBe(desired.callerReference);
    });

    it('fails on a second PreconditionFailed: a concurrent writer is reported, not fought', async () => {
      cf.on(GetDistributionConfigCommand).resolves({
        DistributionConfig: awsDistribution(desired).DistributionConfig,
        ETag: 'E',
      });
      cf.on(UpdateDistributionCommand).rejects(awsError('PreconditionFailed'));
      const actual = actualOf(desired);
      await expect(
        distribution.update(ctx, desired, actual, [
          { field: 'priceClass', from: 'a', to: 'b', action: 'update' },
        ]),
      ).rejects.toThrow('PreconditionFailed');
      expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(2);
    });

    it('keeps parts of the config tekamolo does not own', async () => {
      const base = {
        ...awsDistribution(desired).DistributionConfig!,
        WebACLId: 'arn:waf',
        PriceClass: 'PriceClass_All' as const,
      };
      cf.on(GetDistributionConfigCommand).resolves({ DistributionConfig: base, ETag: 'E' });
      cf.on(UpdateDistributionCommand).resolves({ Distribution: awsDistribution(desired), ETag: 'E2' });
      await distribution.update(ctx, desired, actualOf(desired), [
        { field: 'priceClass', from: 'PriceClass_All', to: 'PriceClass_100', action: 'update' },
      ]);
      expect(cf.commandCalls(UpdateDistributionCommand)[0]!.args[0].input.DistributionConfig?.WebACLId).toBe(
        'arn:waf',
      );
    });
  });

  describe('what tekamolo does not model', () => {
    /**
     * A distribution as tekamolo made it, then changed in the console: a cache behaviour for
     * /images/* on an origin of its own, a response-headers policy on the default behaviour, and
     * origin shield on the bucket's origin.
     */
    function changedBehindOurBack() {
      const config = awsDistribution(desired).DistributionConfig!;
      const [s3, api] = config.Origins!.Items!;
      const images = {
        ...api!,
        Id: 'images',
        DomainName: 'images.example.net',
        CustomHeaders: { Quantity: 0, Items: [] },
      };
      const shielded = { ...s3!, OriginShield: { Enabled: true, OriginShieldRegion: 'eu-central-1' } };
      const [ourApi] = config.CacheBehaviors!.Items!;
      const imagesBehavior = { ...ourApi!, PathPattern: '/images/*', TargetOriginId: 'images' };
      return {
        ...config,
        Origins: { Quantity: 3, Items: [shielded, api!, images] },
        DefaultCacheBehavior: { ...config.DefaultCacheBehavior!, ResponseHeadersPolicyId: 'RHP-SECURITY' },
        CacheBehaviors: { Quantity: 2, Items: [ourApi!, imagesBehavior] },
      };
    }

    it('an up that changes the config sends them back unchanged, and find reports them as kept', async () => {
      const before = changedBehindOurBack();
      cf.on(GetDistributionCommand).resolves({
        Distribution: { ...awsDistribution(desired), DistributionConfig: before },
        ETag: 'E1',
      });
      cf.on(ListTagsForResourceCommand).resolves({
        Tags: { Items: Object.entries(desired.tags).map(([Key, Value]) => ({ Key, Value })) },
      });
      cf.on(GetDistributionConfigCommand).resolves({ DistributionConfig: before, ETag: 'E1' });
      cf.on(UpdateDistributionCommand).resolves({ Distribution: awsDistribution(desired), ETag: 'E2' });

      // The config now asks for another price class.
      const changed = context({ saved: { id: ID }, config: { cdn: { priceClass: 'PriceClass_200' } } });
      const wanted = await distribution.desired(changed);
      const found = (await distribution.find(changed))!;
      expect(found.kept).toEqual([
        'origin images (images.example.net)',
        'origin shield (eu-central-1) on origin s3',
        'cache behaviour /images/* → origin images',
        'response-headers policy RHP-SECURITY on the default behaviour',
      ]);
      const changes = distribution.diff(wanted, found);
      expect(changes).toEqual([
        { field: 'priceClass', from: 'PriceClass_100', to: 'PriceClass_200', action: 'update' },
      ]);
      await distribution.update(changed, wanted, found, changes);

      const sent = cf.commandCalls(UpdateDistributionCommand).map((c) => c.args[0].input);
      expect(sent).toEqual([
        { Id: ID, IfMatch: 'E1', DistributionConfig: { ...before, PriceClass: 'PriceClass_200' } },
      ]);
    });

    it('converges our origins and behaviours in place and leaves the others where they are', async () => {
      const before = changedBehindOurBack();
      const [shielded, api, images] = before.Origins.Items;
      const [ourApi, imagesBehavior] = before.CacheBehaviors.Items;
      // Drift on what tekamolo models, on the same origins and behaviours that carry the extras.
      const drifted = {
        ...before,
        Origins: {
          Quantity: 3,
          Items: [{ ...shielded!, DomainName: 'old-bucket.s3.amazonaws.com' }, api!, images!],
        },
        DefaultCacheBehavior: { ...before.DefaultCacheBehavior, ViewerProtocolPolicy: 'allow-all' as const },
        CacheBehaviors: {
          Quantity: 2,
          Items: [imagesBehavior!, { ...ourApi!, PathPattern: '/v0/*' }],
        },
      };
      cf.on(GetDistributionConfigCommand).resolves({ DistributionConfig: drifted, ETag: 'E1' });
      cf.on(UpdateDistributionCommand).resolves({ Distribution: awsDistribution(desired), ETag: 'E2' });
      await distribution.update(ctx, desired, actualOf(desired), [
        { field: 's3OriginDomain', from: 'old', to: 'new', action: 'update' },
      ]);
      const sent = cf.commandCalls(UpdateDistributionCommand)[0]!.args[0].input.DistributionConfig!;
      expect(sent.Origins).toEqual({ Quantity: 3, Items: [shielded, api, images] });
      expect(sent.DefaultCacheBehavior).toEqual(before.DefaultCacheBehavior);
      // The API behaviour moved to the configured path in its own place, behind /images/*.
      expect(sent.CacheBehaviors).toEqual({ Quantity: 2, Items: [imagesBehavior, ourApi] });
    });

    it('keeps a viewer-response function beside the routing function and drops legacy cache settings', async () => {
      const base = awsDistribution(desired).DistributionConfig!;
      const viewerResponse = { EventType: 'viewer-response' as const, FunctionARN: 'arn:headers' };
      const legacy = {
        ...base,
        DefaultCacheBehavior: {
          ...base.DefaultCacheBehavior!,
          FunctionAssociations: { Quantity: 1, Items: [viewerResponse] },
          MinTTL: 0,
          ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' as const } },
        },
      };
      cf.on(GetDistributionConfigCommand).resolves({ DistributionConfig: legacy, ETag: 'E1' });
      cf.on(UpdateDistributionCommand).resolves({ Distribution: awsDistribution(desired), ETag: 'E2' });
      await distribution.update(ctx, desired, actualOf(desired), [
        { field: 'routingFunctionArn', from: '', to: FUNCTION_ARN, action: 'update' },
      ]);
      const sent = cf.commandCalls(UpdateDistributionCommand)[0]!.args[0].input.DistributionConfig!;
      expect(sent.DefaultCacheBehavior?.FunctionAssociations).toEqual({
        Quantity: 2,
        Items: [{ EventType: 'viewer-request', FunctionARN: FUNCTION_ARN }, viewerResponse],
      });
      expect(sent.DefaultCacheBehavior).not.toHaveProperty('MinTTL');
      expect(sent.DefaultCacheBehavior).not.toHaveProperty('ForwardedValues');
    });

    it('reports nothing as kept on a distribution exactly as tekamolo made it', async () => {
      cf.on(GetDistributionCommand).resolves({ Distribution: awsDistribution(desired), ETag: 'E1' });
      cf.on(ListTagsForResourceCommand).resolves({ Tags: { Items: [] } });
      const found = await distribution.find(context({ saved: { id: ID } }));
      expect(found).not.toHaveProperty('kept');
    });
  });

  describe('wait', () => {
    it('waits from InProgress to Deployed', async () => {
      cf.on(GetDistributionCommand)
        .resolvesOnce({ Distribution: awsDistribution(desired, 'InProgress') })
        .resolvesOnce({ Distribution: awsDistribution(desired, 'InProgress') })
        .resolves({ Distribution: awsDistribution(desired, 'Deployed') });
      const actual = await distribution.wait!(ctx, actualOf(desired, 'InProgress'));
      expect(actual.status).toBe('Deployed');
      expect(cf.commandCalls(GetDistributionCommand)).toHaveLength(3);
      expect(ctx.messages.some((m) => m.includes('InProgress (usually 5–10 minutes)'))).toBe(true);
    });

    it('times out with a message that says what to check', async () => {
      cf.on(GetDistributionCommand).resolves({ Distribution: awsDistribution(desired, 'InProgress') });
      const short = context({ config: { waits: SHORT_WAITS } });
      const error = await distribution.wait!(short, actualOf(desired, 'InProgress')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkError);
      expect((error as WorkError).message).toMatch(
        /timed out .* CloudFront deployment \(E2EXAMPLE\).*InProgress/,
      );
      expect((error as WorkError).hint).toMatch(/--no-wait/);
    });
  });

  describe('delete', () => {
    function enabledThenDisabled() {
      cf.on(GetDistributionCommand)
        .resolvesOnce({ Distribution: awsDistribution(desired, 'Deployed', true), ETag: 'E1' })
        .resolvesOnce({ Distribution: awsDistribution(desired, 'InProgress', false), ETag: 'E2' })
        .resolves({ Distribution: awsDistribution(desired, 'Deployed', false), ETag: 'E3' });
      cf.on(GetDistributionConfigCommand).resolves({
        DistributionConfig: awsDistribution(desired).DistributionConfig,
        ETag: 'E1',
      });
      cf.on(UpdateDistributionCommand).resolves({
        Distribution: awsDistribution(desired, 'InProgress', false),
      });
    }

    it('disables, records the phase, waits for Deployed and deletes with a fresh ETag', async () => {
      enabledThenDisabled();
      cf.on(DeleteDistributionCommand).resolves({});
      expect(await distribution.delete(ctx, actualOf(desired))).toBeUndefined();
      const update = cf.commandCalls(UpdateDistributionCommand)[0]!.args[0].input;
      expect(update.DistributionConfig?.Enabled).toBe(false);
      expect(update.IfMatch).toBe('E1');
      expect(cf.commandCalls(DeleteDistributionCommand)[0]!.args[0].input).toEqual({ Id: ID, IfMatch: 'E3' });
      expect(ctx.recorded.deletePhase).toBe('deleting');
    });

    it('returns pending after starting the disable with --no-wait, recording the phase', async () => {
      const noWait = context({ wait: false });
      enabledThenDisabled();
      expect(await distribution.delete(noWait, actualOf(desired))).toBe('pending');
      expect(noWait.recorded.deletePhase).toBe('disabling');
      expect(cf.commandCalls(DeleteDistributionCommand)).toHaveLength(0);
    });

    it('resumes an already disabled distribution that is still InProgress without disabling it again', async () => {
      const resumed = context({ saved: { id: ID, deletePhase: 'disabling' } });
      cf.on(GetDistributionCommand)
        .resolvesOnce({ Distribution: awsDistribution(desired, 'InProgress', false), ETag: 'E1' })
        .resolvesOnce({ Distribution: awsDistribution(desired, 'InProgress', false), ETag: 'E1' })
        .resolves({ Distribution: awsDistribution(desired, 'Deployed', false), ETag: 'E2' });
      cf.on(DeleteDistributionCommand).resolves({});
      await distribution.delete(resumed, actualOf(desired, 'InProgress', false));
      expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(0);
      expect(cf.commandCalls(GetDistributionConfigCommand)).toHaveLength(0);
      expect(cf.commandCalls(DeleteDistributionCommand)[0]!.args[0].input.IfMatch).toBe('E2');
    });

    it('retries the delete once with a fresh ETag when the ETag went stale', async () => {
      cf.on(GetDistributionCommand)
        .resolvesOnce({ Distribution: awsDistribution(desired, 'Deployed', false), ETag: 'E1' })
        .resolvesOnce({ Distribution: awsDistribution(desired, 'Deployed', false), ETag: 'E1' })
        .resolvesOnce({ Distribution: awsDistribution(desired, 'Deployed', false), ETag: 'STALE' })
        .resolves({ Distribution: awsDistribution(desired, 'Deployed', false), ETag: 'FRESH' });
      cf.on(DeleteDistributionCommand, { IfMatch: 'STALE' }).rejects(awsError('PreconditionFailed'));
      cf.on(DeleteDistributionCommand, { IfMatch: 'FRESH' }).resolves({});
      await distribution.delete(ctx, actualOf(desired, 'Deployed', false));
      expect(cf.commandCalls(DeleteDistributionCommand).map((c) => c.args[0].input.IfMatch)).toEqual([
        'STALE',
        'FRESH',
      ]);
    });

    it('disables again when DistributionNotDisabled says it was enabled behind our back', async () => {
      cf.on(GetDistributionCommand)
        // round 1: already disabled and deployed
        .resolvesOnce({ Distribution: awsDistribution(desired, 'Deployed', false), ETag: 'E1' })
        .resolvesOnce({ Distribution: awsDistribution(desired, 'Deployed', false), ETag: 'E1' })
        .resolvesOnce({ Distribution: awsDistribution(desired, 'Deployed', false), ETag: 'E1' })
        // round 2: someone enabled it again
        .resolvesOnce({ Distribution: awsDistribution(desired, 'Deployed', true), ETag: 'E2' })
        .resolves({ Distribution: awsDistribution(desired, 'Deployed', false), ETag: 'E3' });
      cf.on(GetDistributionConfigCommand).resolves({
        DistributionConfig: awsDistribution(desired).DistributionConfig,
        ETag: 'E2',
      });
      cf.on(UpdateDistributionCommand).resolves({});
      cf.on(DeleteDistributionCommand).rejectsOnce(awsError('DistributionNotDisabled')).resolves({});
      await distribution.delete(ctx, actualOf(desired, 'Deployed', false));
      expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(1);
      expect(cf.commandCalls(DeleteDistributionCommand)).toHaveLength(2);
      expect(ctx.messages.some((m) => m.includes('enabled again'))).toBe(true);
    });

    it('succeeds when the distribution is already gone', async () => {
      cf.on(GetDistributionCommand).rejects(awsError('NoSuchDistribution'));
      expect(await distribution.delete(ctx, actualOf(desired))).toBeUndefined();
      expect(cf.commandCalls(DeleteDistributionCommand)).toHaveLength(0);
    });

    it('times out naming the distribution still in the way', async () => {
      cf.on(GetDistributionCommand).resolves({
        Distribution: awsDistribution(desired, 'InProgress', false),
        ETag: 'E1',
      });
      const short = context({ config: { waits: SHORT_WAITS } });
      const error = await distribution
        .delete(short, actualOf(desired, 'InProgress', false))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkError);
      expect((error as WorkError).message).toMatch(/the distribution to be disabled \(E2EXAMPLE\)/);
      expect((error as WorkError).hint).toMatch(/d111\.cloudfront\.net.*run destroy again/);
      expect(cf.commandCalls(DeleteDistributionCommand)).toHaveLength(0);
    });
  });

  describe('status', () => {
    it('describes status, domain and invalidations in progress; InProgress is pending health', async () => {
      cf.on(ListInvalidationsCommand).resolves({
        InvalidationList: {
          Items: [
            { Id: 'I1', Status: 'InProgress', CreateTime: new Date() },
            { Id: 'I2', Status: 'Completed', CreateTime: new Date() },
          ],
        } as never,
      });
      const actual = actualOf(desired, 'InProgress');
      expect(await distribution.describe!(ctx, actual)).toBe(
        'InProgress, d111.cloudfront.net, 1 invalidation in progress',
      );
      expect(await distribution.health!(ctx, actual)).toMatchObject({ state: 'pending' });
      expect(await distribution.health!(ctx, actualOf(desired, 'Deployed', false))).toMatchObject({
        state: 'unhealthy',
      });
    });
  });

  describe('wait on what find read', () => {
    it('makes no call when the distribution was found Deployed, and polls one found InProgress', async () => {
      const deployed = actualOf(desired, 'Deployed');
      expect(await distribution.wait!(ctx, deployed)).toMatchObject({ status: 'Deployed' });
      expect(cf.commandCalls(GetDistributionCommand)).toHaveLength(0);

      cf.on(GetDistributionCommand)
        .resolvesOnce({ Distribution: awsDistribution(desired, 'InProgress'), ETag: 'E1' })
        .resolves({ Distribution: awsDistribution(desired, 'Deployed'), ETag: 'E1' });
      const slow = context({ config: { waits: SHORT_WAITS } });
      expect(await distribution.wait!(slow, actualOf(desired, 'InProgress'))).toMatchObject({
        status: 'Deployed',
      });
      expect(cf.commandCalls(GetDistributionCommand)).toHaveLength(2);
    });
  });
});
