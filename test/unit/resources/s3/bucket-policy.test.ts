import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PRIVATE_PREFIX } from '../../../../src/config/bucket-keys.js';
import { unknown } from '../../../../src/engine/contract.js';
import {
  type BucketPolicyDesired,
  bucketPolicy,
  canonical,
} from '../../../../src/resources/s3/bucket-policy.js';
import { MANIFEST_KEY } from '../../../../src/sync/manifest.js';
import { testContext } from '../../../support/context.js';

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
  return [desired.allow];
}

/** The Deny of the private prefix that earlier versions wrote beside an Allow of `/*`. */
const OLD_ALLOW = {
  Sid: 'tekamolo-demo-cloudfront',
  Effect: 'Allow',
  Principal: { Service: 'cloudfront.amazonaws.com' },
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::demo-site/*',
  Condition: { StringEquals: { 'AWS:SourceArn': DIST_ARN } },
};
const OLD_DENY = {
  Sid: 'tekamolo-demo-cloudfront-private',
  Effect: 'Deny',
  Principal: { Service: 'cloudfront.amazonaws.com' },
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::demo-site/.tekamolo/*',
};

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

  it("allows s3:GetObject to CloudFront for this distribution only, never under tekamolo's private prefix, with no Deny", () => {
    expect(desired).toEqual({
      bucket: 'demo-site',
      region: 'eu-central-1',
      sid: 'tekamolo-demo-cloudfront',
      allow: {
        Sid: 'tekamolo-demo-cloudfront',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        NotResource: 'arn:aws:s3:::demo-site/.tekamolo/*',
        Condition: { StringEquals: { 'AWS:SourceArn': DIST_ARN } },
      },
    });
    expect(MANIFEST_KEY.startsWith(PRIVATE_PREFIX)).toBe(true);
  });

  it('the Allow of /* and Deny of the private prefix of earlier versions are drift; update writes the Allow alone', async () => {
    s3.on(GetBucketPolicyCommand).resolves(policy(FOREIGN, OLD_ALLOW, OLD_DENY));
    s3.on(PutBucketPolicyCommand).resolves({});
    const actual = (await bucketPolicy.find(context()))!;
    expect(actual.deny).toEqual(OLD_DENY);
    const changes = bucketPolicy.diff(desired, actual);
    expect(changes.map((c) => [c.field, c.action])).toEqual([
      ['allow', 'update'],
      ['deny', 'update'],
    ]);
    expect(changes[1]).toMatchObject({ from: canonical(OLD_DENY), to: 'none' });
    expect(bucketPolicy.describe?.(context(), actual)).toBe(
      `tekamolo-demo-cloudfront allows ${DIST_ARN}, an old Deny of .tekamolo/*; 1 other statement kept`,
    );
    const updated = await bucketPolicy.update(context(), desired, actual, changes);
    expect(written(s3).Statement).toEqual([FOREIGN, desired.allow]);
    expect(updated.deny).toBeUndefined();
  });

  it('a foreign statement with a similar Sid is not ours', async () => {
    const lookalike = { ...FOREIGN, Sid: 'tekamolo-demo-cloudfront-private-2' };
    s3.on(GetBucketPolicyCommand).resolves(policy(lookalike, desired.allow));
    const actual = (await bucketPolicy.find(context()))!;
    expect(actual.others).toEqual([lookalike]);
    expect(bucketPolicy.diff(desired, actual)).toEqual([]);
    expect(bucketPolicy.describe?.(context(), actual)).toBe(
      `tekamolo-demo-cloudfront allows ${DIST_ARN}, not .tekamolo/*; 1 other statement kept`,
    );
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
      NotResource: ['arn:aws:s3:::demo-site/.tekamolo/*'],
      Action: ['s3:GetObject'],
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Effect: 'Allow',
      Sid: 'tekamolo-demo-cloudfront',
    };
    s3.on(GetBucketPolicyCommand).resolves(policy(FOREIGN, reformatted));
    const actual = (await bucketPolicy.find(context()))!;
    expect(actual.others).toEqual([FOREIGN]);
    expect(bucketPolicy.diff(desired, actual)).toEqual([]);

    const stale = { ...reformatted, Condition: { StringEquals: { 'AWS:SourceArn': 'arn:old' } } };
    s3.on(GetBucketPolicyCommand).resolves(policy(FOREIGN, stale));
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
        bucket: unknown,
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
