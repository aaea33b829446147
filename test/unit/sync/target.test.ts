import {
  CloudFrontClient,
  GetDistributionCommand,
  ListDistributionsCommand,
} from '@aws-sdk/client-cloudfront';
import { GetBucketTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Aws } from '../../../src/aws/clients.js';
import { deriveNames } from '../../../src/config/names.js';
import { UserError } from '../../../src/errors.js';
import { findSyncTarget, type TargetLookup } from '../../../src/sync/target.js';
import { testConfig } from '../../support/context.js';

function awsError(name: string): Error {
  return Object.assign(new Error(name), { name, $metadata: {} });
}

describe('findSyncTarget', () => {
  let s3Mock: ReturnType<typeof mockClient>;
  let cfMock: ReturnType<typeof mockClient>;
  let warnings: string[];

  beforeEach(() => {
    s3Mock = mockClient(S3Client);
    cfMock = mockClient(CloudFrontClient);
    warnings = [];
  });
  afterEach(() => {
    s3Mock.restore();
    cfMock.restore();
  });

  function lookup(overrides: Partial<TargetLookup> = {}): TargetLookup {
    return {
      aws: new Aws({ region: 'eu-central-1', maxAttempts: 1 }),
      names: deriveNames(testConfig()),
      accountId: '123456789012',
      region: 'eu-central-1',
      needDistribution: true,
      warn: (m) => warnings.push(m),
      ...overrides,
    };
  }

  it('takes bucket and distribution from the state without a call', async () => {
    const target = await findSyncTarget(
      lookup({ bucketState: { name: 'b1', region: 'eu-west-1' }, distributionState: { id: 'E1' } }),
    );
    expect(target).toEqual({ bucket: 'b1', region: 'eu-west-1', distributionId: 'E1' });
    expect(s3Mock.calls()).toHaveLength(0);
    expect(cfMock.calls()).toHaveLength(0);
  });

  it('finds the bucket by its derived name and stack tag, the distribution by comment', async () => {
    s3Mock.on(GetBucketTaggingCommand).resolves({ TagSet: [{ Key: 'tekamolo:stack', Value: 'demo' }] });
    cfMock.on(ListDistributionsCommand).resolves({
      DistributionList: {
        Items: [
          { Id: 'EOTHER', Comment: 'someone else' },
          { Id: 'E2', Comment: 'tekamolo:demo' },
        ],
        IsTruncated: false,
      },
    } as never);
    const target = await findSyncTarget(lookup());
    expect(target).toEqual({
      bucket: 'demo-site-123456789012',
      region: 'eu-central-1',
      distributionId: 'E2',
    });
    expect(s3Mock.commandCalls(GetBucketTaggingCommand)[0]!.args[0].input).toEqual({
      Bucket: 'demo-site-123456789012',
    });
  });

  it('reads a distribution whose list summary has no Comment, and pages through the list', async () => {
    s3Mock.on(GetBucketTaggingCommand).resolves({ TagSet: [{ Key: 'tekamolo:stack', Value: 'demo' }] });
    cfMock
      .on(ListDistributionsCommand)
      .resolvesOnce({
        DistributionList: { Items: [{ Id: 'E7' }], IsTruncated: true, NextMarker: 'm1' },
      } as never)
      .resolvesOnce({ DistributionList: { Items: [{ Id: 'E8' }], IsTruncated: false } } as never);
    cfMock
      .on(GetDistributionCommand, { Id: 'E7' })
      .resolves({ Distribution: { DistributionConfig: { Comment: 'other' } } } as never)
      .on(GetDistributionCommand, { Id: 'E8' })
      .resolves({ Distribution: { DistributionConfig: { Comment: 'tekamolo:demo' } } } as never);
    const target = await findSyncTarget(lookup());
    expect(target.distributionId).toBe('E8');
    expect(cfMock.commandCalls(ListDistributionsCommand)[1]!.args[0].input).toEqual({ Marker: 'm1' });
  });

  it('says the stack is not up when the bucket is missing (exit 2)', async () => {
    s3Mock.on(GetBucketTaggingCommand).rejects(awsError('NoSuchBucket'));
    cfMock.on(ListDistributionsCommand).resolves({ DistributionList: { Items: [] } } as never);
    const error = await findSyncTarget(lookup()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/does not exist: the stack is not up yet/);
    expect((error as UserError).hint).toMatch(/tekamolo up/);
  });

  it('never takes a bucket without the stack tag', async () => {
    s3Mock.on(GetBucketTaggingCommand).rejects(awsError('NoSuchTagSet'));
    cfMock.on(ListDistributionsCommand).resolves({ DistributionList: { Items: [] } } as never);
    await expect(findSyncTarget(lookup())).rejects.toThrow(/is not tekamolo stack "demo"'s/);
  });

  it('needs a distribution to invalidate, and only warns without one when not invalidating', async () => {
    s3Mock.on(GetBucketTaggingCommand).resolves({ TagSet: [{ Key: 'tekamolo:stack', Value: 'demo' }] });
    cfMock.on(ListDistributionsCommand).resolves({ DistributionList: { Items: [] } } as never);
    await expect(findSyncTarget(lookup())).rejects.toThrow(/no CloudFront distribution yet/);
    const target = await findSyncTarget(lookup({ needDistribution: false }));
    expect(target.distributionId).toBeUndefined();
    expect(warnings).toEqual(['the stack has no CloudFront distribution yet: nothing is invalidated']);
  });
});
