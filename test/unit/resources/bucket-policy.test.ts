import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PRIVATE_PREFIX } from '../../../src/config/bucket-keys.js';
import { UNKNOWN } from '../../../src/engine/contract.js';
import { type BucketPolicyDesired, bucketPolicy, canonical } from '../../../src/resources/bucket-policy.js';
import { MANIFEST_KEY } from '../../../src/sync/manifest.js';
import { testContext } from '../../support/context.js';

const DIST_ARN = 'arn:aws:cloudfront::123456789012:distribution/E2EXAMPLE';
const FOREIGN = {
  Sid: 'ops-audit',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::123456789012:role/audit' },
  Action: ['s3:ListBucket'],
  Resource: 'arn:aws:s3:::demo-site',
};

function context() {
  return testContext({
    key: 'bucketPolicy',
    outputs: {
      bucket: {
        name: 'demo-site',
        arn: 'arn:aws:s3:::demo-site',
        region: 'eu-central-1',
        regionalDomainName: 'demo-site.s3.eu-central-1.amazonaws.com',
      },
      distribution: { id: 'E2EXAMPLE', arn: DIST_ARN, domainName: 'd111.cloudfront.net' },
    },
  });
}

function policy(...statements: object[]) {
  return { Policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }) };
}

/** Our statements, in the order tekamolo writes them. */
function ours(desired: BucketPolicyDesired) {
  return [desired.allow, desired.deny];
}

function written(s3: ReturnType<typeof mockClient>, index = 0) {
  const call = s3.commandCalls(PutBucketPolicyCommand)[index]!;
  return JSON.parse((call.args[0].input as { Policy: string }).Policy);
}

describe('bucketPolicy', () => {
  const s3 = mockClient(S3Client);
  let desired: BucketPolicyDesired;

  beforeEach(async () => {
    s3.reset();
    desired = await bucketPolicy.desired(context());
  });
  afterEach(() => {
    s3.reset();
  });

  it('allows s3:GetObject to CloudFront for this distribution only', () => {
    expect(desired.allow).toEqual({
      Sid: 'tekamolo-demo-cloudfront',
      Effect: 'Allow',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::demo-site/*',
      Condition: { StringEquals: { 'AWS:SourceArn': DIST_ARN } },
    });
  });

  it("denies CloudFront s3:GetObject under tekamolo's private prefix, where the sync manifest lies", () => {
    expect(desired.deny).toEqual({
      Sid: 'tekamolo-demo-cloudfront-private',
      Effect: 'Deny',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::demo-site/.tekamolo/*',
    });
    expect(MANIFEST_KEY.startsWith(PRIVATE_PREFIX)).toBe(true);
  });

  it('a policy with only the Allow (written before the Deny existed) is drift, and update adds the Deny', async () => {
    s3.on(GetBucketPolicyCommand).resolves(policy(FOREIGN, desired.allow));
    s3.on(PutBucketPolicyCommand).resolves({});
    const actual = (await bucketPolicy.find(context()))!;
    expect(actual).toBeDefined();
    expect(actual.deny).toBeUndefined();
    const changes = bucketPolicy.diff(desired, actual);
    expect(changes).toEqual([{ field: 'deny', from: 'none', to: canonical(desired.deny), action: 'update' }]);
    expect(bucketPolicy.describe?.(context(), actual)).toBe(
      `tekamolo-demo-cloudfront allows ${DIST_ARN}, no Deny of .tekamolo/*; 1 other statement kept`,
    );
    await bucketPolicy.update(context(), desired, actual, changes);
    expect(written(s3).Statement).toEqual([FOREIGN, ...ours(desired)]);
  });

  it('a changed Deny is drift; a foreign statement with a similar Sid is not ours', async () => {
    const lookalike = { ...FOREIGN, Sid: 'tekamolo-demo-cloudfront-private-2' };
    const narrowed = { ...desired.deny, Resource: 'arn:aws:s3:::demo-site/.tekamolo/sync-manifest.json' };
    s3.on(GetBucketPolicyCommand).resolves(policy(lookalike, desired.allow, narrowed));
    const actual = (await bucketPolicy.find(context()))!;
    expect(actual.others).toEqual([lookalike]);
    expect(bucketPolicy.diff(desired, actual).map((c) => c.field)).toEqual(['deny']);
  });

  it('merges into a policy with foreign statements and keeps them', async () => {
    s3.on(GetBucketPolicyCommand).resolves(policy(FOREIGN));
    s3.on(PutBucketPolicyCommand).resolves({});
    const ctx = context();
    expect(await bucketPolicy.find(ctx)).toBeUndefined();
    const actual = await bucketPolicy.create(ctx, desired);
    expect(written(s3).Statement).toEqual([FOREIGN, ...ours(desired)]);
    expect(actual.others).toEqual([FOREIGN]);
    expect(ctx.recorded).toEqual({ bucket: 'demo-site', sid: 'tekamolo-demo-cloudfront' });
  });

  it('creates the policy when the bucket has none', async () => {
    s3.on(GetBucketPolicyCommand).rejects(
      new S3ServiceException({
        name: 'NoSuchBucketPolicy',
        $fault: 'client',
        $metadata: {},
        message: 'none',
      }),
    );
    s3.on(PutBucketPolicyCommand).resolves({});
    await bucketPolicy.create(context(), desired);
    expect(written(s3)).toEqual({ Version: '2012-10-17', Statement: ours(desired) });
  });

  it('finds our statement by Sid; list-or-scalar and key order are not differences, a new ARN is', async () => {
    const reformatted = {
      Condition: { StringEquals: { 'AWS:SourceArn': [DIST_ARN] } },
      Resource: ['arn:aws:s3:::demo-site/*'],
      Action: ['s3:GetObject'],
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Effect: 'Allow',
      Sid: 'tekamolo-demo-cloudfront',
    };
    s3.on(GetBucketPolicyCommand).resolves(policy(FOREIGN, reformatted, desired.deny));
    const actual = (await bucketPolicy.find(context()))!;
    expect(actual.others).toEqual([FOREIGN]);
    expect(bucketPolicy.diff(desired, actual)).toEqual([]);

    const stale = { ...reformatted, Condition: { StringEquals: { 'AWS:SourceArn': 'arn:old' } } };
    s3.on(GetBucketPolicyCommand).resolves(policy(FOREIGN, stale, desired.deny));
    const drifted = (await bucketPolicy.find(context()))!;
    const changes = bucketPolicy.diff(desired, drifted);
    expect(changes).toHaveLength(1);
    expect(changes[0]?.field).toBe('allow');

    s3.on(PutBucketPolicyCommand).resolves({});
    await bucketPolicy.update(context(), desired, drifted, changes);
    expect(written(s3).Statement).toEqual([FOREIGN, ...ours(desired)]);
  });

  it('delete removes only our statements and keeps the rest', async () => {
    s3.on(GetBucketPolicyCommand).resolves(policy(FOREIGN, ...ours(desired)));
    s3.on(PutBucketPolicyCommand).resolves({});
    const actual = (await bucketPolicy.find(context()))!;
    await bucketPolicy.delete(context(), actual);
    expect(written(s3).Statement).toEqual([FOREIGN]);
    expect(s3.commandCalls(DeleteBucketPolicyCommand)).toHaveLength(0);
  });

  it('delete removes the policy when ours was the only statement, and is idempotent', async () => {
    s3.on(GetBucketPolicyCommand)
      .resolvesOnce(policy(...ours(desired)))
      .resolves(policy(...ours(desired)));
    s3.on(DeleteBucketPolicyCommand).resolves({});
    const actual = (await bucketPolicy.find(context()))!;
    await bucketPolicy.delete(context(), actual);
    expect(s3.commandCalls(DeleteBucketPolicyCommand)).toHaveLength(1);
    expect(s3.commandCalls(PutBucketPolicyCommand)).toHaveLength(0);

    s3.on(GetBucketPolicyCommand).rejects(
      new S3ServiceException({ name: 'NoSuchBucket', $fault: 'client', $metadata: {}, message: 'gone' }),
    );
    await expect(bucketPolicy.delete(context(), actual)).resolves.toBeUndefined();
  });

  it('finds nothing without a call while the bucket is not known yet', async () => {
    const ctx = testContext({
      key: 'bucketPolicy',
      outputs: {
        bucket: { name: UNKNOWN, arn: UNKNOWN, region: UNKNOWN, regionalDomainName: UNKNOWN },
        distribution: { id: 'E2EXAMPLE', arn: DIST_ARN, domainName: 'd111.cloudfront.net' },
      },
    });
    expect(await bucketPolicy.find(ctx)).toBeUndefined();
    expect(s3.calls()).toHaveLength(0);
  });

  it('canonical sorts keys and unwraps one-element lists', () => {
    expect(canonical({ b: [1], a: { d: [2, 3], c: 'x' } })).toEqual({ a: { c: 'x', d: [2, 3] }, b: 1 });
    expect(JSON.stringify(canonical({ b: 1, a: 2 }))).toBe('{"a":2,"b":1}');
  });
});
