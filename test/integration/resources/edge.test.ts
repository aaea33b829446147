import {
  CloudFrontClient,
  GetDistributionConfigCommand,
  GetOriginAccessControlCommand,
  ListDistributionsCommand,
  ListOriginAccessControlsCommand,
  UpdateDistributionCommand,
  UpdateOriginAccessControlCommand,
} from '@aws-sdk/client-cloudfront';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeletePublicAccessBlockCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distribution } from '../../../src/resources/cloudfront/distribution.js';
import { originAccessControl } from '../../../src/resources/cloudfront/origin-access-control.js';
import type { BucketOutputs, DistributionOutputs } from '../../../src/resources/outputs.js';
import { bucket } from '../../../src/resources/s3/bucket.js';
import { bucketPolicy } from '../../../src/resources/s3/bucket-policy.js';
import { type TestContext, testConfig, testContext } from '../../support/context.js';
import { motoAvailable, useMoto } from '../../support/moto.js';

const REGION = 'eu-central-1';
const BUCKET = 'demo-site-123456789012';

describe.skipIf(!motoAvailable())('S3 and CloudFront handlers against moto', () => {
  const moto = useMoto();
  let s3: S3Client;
  let cloudfront: CloudFrontClient;

  beforeAll(async () => {
    s3 = new S3Client({ region: REGION });
    cloudfront = new CloudFrontClient({ region: 'us-east-1' });
  });
  afterAll(async () => {
    s3?.destroy();
    cloudfront?.destroy();
  });

  async function createBucket(): Promise<BucketOutputs> {
    const ctx = testContext({ key: 'bucket' });
    const actual = await bucket.create(ctx, await bucket.desired(ctx));
    return bucket.outputs(actual);
  }

  async function createOac(): Promise<string> {
    const ctx = testContext({ key: 'oac' });
    return (await originAccessControl.create(ctx, await originAccessControl.desired(ctx))).id;
  }

  // routing 'none': the emulator has no CloudFront Functions, and it reads FunctionAssociations back
  // as { Quantity: 0 } whatever was sent; the association is proved with mocks.
  function distributionContext(bucketOut: BucketOutputs, oacId: string, saved = {}): TestContext {
    return testContext({
      key: 'distribution',
      saved,
      config: testConfig({ frontend: { routing: 'none' } }),
      outputs: {
        bucket: { ...bucketOut },
        oac: { id: oacId },
        validation: {
          records: [],
          cdnCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/cdn-0001',
          originCertificateArn: 'arn:aws:acm:eu-central-1:123456789012:certificate/origin-0001',
        },
        listener: {
          arn: 'arn:aws:elasticloadbalancing:eu-central-1:123456789012:listener/app/demo-alb/1/2',
          originHeaderName: 'x-tekamolo-origin',
          originSecret: 'not-a-real-secret',
        },
        spaFunction: { name: 'demo-routing', arn: 'arn:aws:cloudfront::123456789012:function/demo-routing' },
      },
    });
  }

  it('creates a private bucket, finds it by state and by name, restores drift, empties and deletes it', async () => {
    const ctx = testContext({ key: 'bucket', options: { yes: true } });
    const desired = await bucket.desired(ctx);
    const created = await bucket.create(ctx, desired);
    expect(ctx.recorded).toMatchObject({ name: BUCKET, region: REGION });

    const pab = await s3.send(new GetPublicAccessBlockCommand({ Bucket: BUCKET }));
    expect(pab.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    const ownership = await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: BUCKET }));
    expect(ownership.OwnershipControls?.Rules?.[0]?.ObjectOwnership).toBe('BucketOwnerEnforced');
    const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: BUCKET }));
    expect(
      encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault
        ?.SSEAlgorithm,
    ).toBe('AES256');
    const location = await s3.send(new GetBucketLocationCommand({ Bucket: BUCKET }));
    expect(location.LocationConstraint).toBe(REGION);
    const tagging = await s3.send(new GetBucketTaggingCommand({ Bucket: BUCKET }));
    expect(tagging.TagSet).toContainEqual({ Key: 'tekamolo:stack', Value: 'demo' });
    expect(tagging.TagSet).toContainEqual({ Key: 'tekamolo:resource', Value: 'bucket' });

    // A create retried after a crash converges the same bucket instead of failing or doubling.
    const again = await bucket.create(testContext({ key: 'bucket' }), desired);
    expect(again.id).toBe(BUCKET);
    const listed = await s3.send(new ListBucketsCommand({}));
    expect(listed.Buckets?.map((b) => b.Name)).toEqual([BUCKET]);

    const byState = await bucket.find(ctx);
    const byName = await bucket.find(testContext({ key: 'bucket' }));
    expect(byState?.id).toBe(created.id);
    expect(byName?.id).toBe(BUCKET);
    expect(byName?.foreign).toBeUndefined();
    expect(bucket.diff(desired, byName!)).toEqual([]);

    // Drift behind tekamolo's back: public access unblocked, a tag of ours gone, a foreign tag added.
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: BUCKET }));
    await s3.send(
      new PutBucketTaggingCommand({
        Bucket: BUCKET,
        Tagging: {
          TagSet: [
            { Key: 'tekamolo:stack', Value: 'demo' },
            { Key: 'owner', Value: 'ops' },
          ],
        },
      }),
    );
    const drifted = (await bucket.find(ctx))!;
    const changes = bucket.diff(desired, drifted);
    expect(changes.map((c) => c.field).sort()).toEqual(['blockPublicAccess', 'tags']);
    await bucket.update(ctx, desired, drifted, changes);
    const restored = (await bucket.find(ctx))!;
    expect(bucket.diff(desired, restored)).toEqual([]);
    expect(restored.tags.owner).toBe('ops');

    // Versions and delete markers are all emptied before DeleteBucket.
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'index.html', Body: 'v1' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'index.html', Body: 'v2' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'app.js', Body: 'x' }));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'app.js' }));
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET }));
    expect((versions.Versions?.length ?? 0) + (versions.DeleteMarkers?.length ?? 0)).toBe(4);
    expect(await bucket.describe!(ctx, restored)).toMatch(/^1 object, /);

    await bucket.delete(ctx, restored);
    expect(await bucket.find(ctx)).toBeUndefined();
    await expect(s3.send(new HeadBucketCommand({ Bucket: BUCKET }))).rejects.toThrow();
    await bucket.delete(ctx, restored);
  });

  it('keeps the bucket and its objects with --keep-bucket, and marks a bucket without our tag foreign', async () => {
    const out = await createBucket();
    await s3.send(new PutObjectCommand({ Bucket: out.name, Key: 'index.html', Body: 'hi' }));
    const ctx = testContext({ key: 'bucket', options: { keepBucket: true, yes: true } });
    await bucket.delete(ctx, (await bucket.find(ctx))!);
    expect((await bucket.find(ctx))?.id).toBe(out.name);

    await s3.send(
      new CreateBucketCommand({
        Bucket: 'someone-elses-bucket',
        CreateBucketConfiguration: { LocationConstraint: REGION },
      }),
    );
    const config = { ...ctx.config, frontend: { ...ctx.config.frontend, bucket: 'someone-elses-bucket' } };
    const foreign = await bucket.find(testContext({ key: 'bucket', config }));
    expect(foreign?.foreign).toMatch(/without the tekamolo:stack tag/);
  });

  it('creates the origin access control, finds it by id and by name, restores drift, deletes it', async () => {
    const ctx = testContext({ key: 'oac' });
    const desired = await originAccessControl.desired(ctx);
    const created = await originAccessControl.create(ctx, desired);
    expect(ctx.recorded.id).toBe(created.id);
    expect((await originAccessControl.find(ctx))?.id).toBe(created.id);
    const byName = await originAccessControl.find(testContext({ key: 'oac' }));
    expect(byName?.id).toBe(created.id);
    expect(byName?.foreign).toBeUndefined();
    expect(originAccessControl.diff(desired, byName!)).toEqual([]);

    // A create retried after a crash takes the existing one over instead of making a second.
    const again = await originAccessControl.create(testContext({ key: 'oac' }), desired);
    expect(again.id).toBe(created.id);
    const listed = await cloudfront.send(new ListOriginAccessControlsCommand({}));
    expect(listed.OriginAccessControlList?.Items?.filter((i) => i.Name === desired.name)).toHaveLength(1);

    const current = await cloudfront.send(new GetOriginAccessControlCommand({ Id: created.id }));
    await cloudfront.send(
      new UpdateOriginAccessControlCommand({
        Id: created.id,
        IfMatch: current.ETag,
        OriginAccessControlConfig: {
          ...current.OriginAccessControl!.OriginAccessControlConfig!,
          SigningBehavior: 'no-override',
        },
      }),
    );
    const drifted = (await originAccessControl.find(ctx))!;
    const changes = originAccessControl.diff(desired, drifted);
    expect(changes).toEqual([
      { field: 'signingBehavior', from: 'no-override', to: 'always', action: 'update' },
    ]);
    await originAccessControl.update(ctx, desired, drifted, changes);
    expect(originAccessControl.diff(desired, (await originAccessControl.find(ctx))!)).toEqual([]);

    await originAccessControl.delete(ctx, drifted);
    expect(await originAccessControl.find(ctx)).toBeUndefined();
    await originAccessControl.delete(ctx, drifted);
  });

  it('creates one distribution with two origins, finds it without state, restores drift, merges the bucket policy, deletes everything', async () => {
    const bucketOut = await createBucket();
    const oacId = await createOac();
    const ctx = distributionContext(bucketOut, oacId);
    const desired = await distribution.desired(ctx);
    const created = await distribution.create(ctx, desired);
    expect(ctx.recorded).toMatchObject({ id: created.id, arn: created.arn, domainName: created.domainName });

    const config = (await cloudfront.send(new GetDistributionConfigCommand({ Id: created.id })))
      .DistributionConfig!;
    expect(config.Origins?.Items?.map((o) => [o.Id, o.DomainName])).toEqual([
      ['s3', `${BUCKET}.s3.${REGION}.amazonaws.com`],
      ['api', 'origin.example.com'],
    ]);
    const api = config.Origins?.Items?.find((o) => o.Id === 'api');
    expect(api?.CustomOriginConfig?.OriginProtocolPolicy).toBe('https-only');
    expect(api?.CustomHeaders?.Items).toEqual([
      { HeaderName: 'x-tekamolo-origin', HeaderValue: 'not-a-real-secret' },
    ]);
    const apiBehavior = config.CacheBehaviors?.Items?.[0];
    expect(apiBehavior?.PathPattern).toBe('/api/*');
    expect(apiBehavior?.TargetOriginId).toBe('api');
    expect(apiBehavior?.AllowedMethods?.Items).toHaveLength(7);
    expect(config.Aliases?.Items?.sort()).toEqual(['example.com', 'www.example.com']);
    expect(config.ViewerCertificate?.MinimumProtocolVersion).toBe('TLSv1.2_2021');
    expect(config.Comment).toBe('tekamolo:demo');

    const byState = await distribution.find(ctx);
    const byComment = await distribution.find(distributionContext(bucketOut, oacId));
    expect(byState?.id).toBe(created.id);
    expect(byComment?.id).toBe(created.id);
    expect(byComment?.foreign).toBeUndefined();
    // The emulator drops OriginAccessControlId and FunctionAssociations on read: unknown, not different.
    expect(distribution.diff(desired, byComment!)).toEqual([]);
    expect((await distribution.wait!(ctx, created)).status).toBe('Deployed');

    // A create retried with the same CallerReference finds the first distribution instead of doubling.
    const again = await distribution.create(distributionContext(bucketOut, oacId), desired);
    expect(again.id).toBe(created.id);
    const listed = await cloudfront.send(new ListDistributionsCommand({}));
    expect(listed.DistributionList?.Items).toHaveLength(1);

    // Drift: the price class changed in the console.
    const fresh = await cloudfront.send(new GetDistributionConfigCommand({ Id: created.id }));
    await cloudfront.send(
      new UpdateDistributionCommand({
        Id: created.id,
        IfMatch: fresh.ETag,
        DistributionConfig: { ...fresh.DistributionConfig!, PriceClass: 'PriceClass_All' },
      }),
    );
    const drifted = (await distribution.find(ctx))!;
    const changes = distribution.diff(desired, drifted);
    expect(changes).toEqual([
      { field: 'priceClass', from: 'PriceClass_All', to: 'PriceClass_100', action: 'update' },
    ]);
    await distribution.update(ctx, desired, drifted, changes);
    expect(distribution.diff(desired, (await distribution.find(ctx))!)).toEqual([]);

    // Bucket policy merged with a statement that is not ours, which survives the delete too.
    const foreignStatement = {
      Sid: 'ops-audit',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789012:root' },
      Action: 's3:ListBucket',
      Resource: `arn:aws:s3:::${BUCKET}`,
    };
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: BUCKET,
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [foreignStatement] }),
      }),
    );
    const policyCtx = testContext({
      key: 'bucketPolicy',
      outputs: {
        bucket: { ...bucketOut },
        distribution: { ...(distribution.outputs(created) as DistributionOutputs) },
      },
    });
    const policyDesired = await bucketPolicy.desired(policyCtx);
    expect(await bucketPolicy.find(policyCtx)).toBeUndefined();
    await bucketPolicy.create(policyCtx, policyDesired);
    const merged = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy!);
    expect(merged.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      'ops-audit',
      'tekamolo-demo-cloudfront',
    ]);
    expect(merged.Statement[1].Condition.StringEquals['AWS:SourceArn']).toBe(created.arn);
    expect(merged.Statement[1]).toMatchObject({
      Effect: 'Allow',
      NotResource: `arn:aws:s3:::${BUCKET}/.tekamolo/*`,
    });
    const policyActual = (await bucketPolicy.find(policyCtx))!;
    expect(policyActual.others).toEqual([foreignStatement]);
    expect(bucketPolicy.diff(policyDesired, policyActual)).toEqual([]);

    // A policy of an earlier version, with a Deny of the private prefix: drift, and update removes it.
    const oldDeny = {
      Sid: 'tekamolo-demo-cloudfront-private',
      Effect: 'Deny',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${BUCKET}/.tekamolo/*`,
    };
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: BUCKET,
        Policy: JSON.stringify({ ...merged, Statement: [...merged.Statement, oldDeny] }),
      }),
    );
    const withDeny = (await bucketPolicy.find(policyCtx))!;
    const extra = bucketPolicy.diff(policyDesired, withDeny);
    expect(extra.map((c) => [c.field, c.to])).toEqual([['deny', 'none']]);
    await bucketPolicy.update(policyCtx, policyDesired, withDeny, extra);
    const restored = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy!);
    expect(restored).toEqual(merged);
    expect(bucketPolicy.diff(policyDesired, (await bucketPolicy.find(policyCtx))!)).toEqual([]);

    await bucketPolicy.delete(policyCtx, policyActual);
    const kept = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy!);
    expect(kept.Statement).toEqual([foreignStatement]);
    expect(await bucketPolicy.find(policyCtx)).toBeUndefined();

    // Destroy: disable, wait Deployed, delete with a fresh ETag.
    await moto.setTransition('cloudfront::distribution', 2);
    expect(await distribution.delete(ctx, drifted)).toBeUndefined();
    expect(ctx.recorded.deletePhase).toBe('deleting');
    expect(ctx.messages.some((m) => m.includes('disabling'))).toBe(true);
    expect(await distribution.find(ctx)).toBeUndefined();
    expect(await distribution.find(distributionContext(bucketOut, oacId))).toBeUndefined();
  });
});
