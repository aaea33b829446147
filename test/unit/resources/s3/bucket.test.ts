import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketTaggingCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError, WorkError } from '../../../../src/errors.js';
import { type ActualBucket, type BucketDesired, bucket } from '../../../../src/resources/s3/bucket.js';
import { testConfig, testContext } from '../../../support/context.js';
import { withFakeTime } from '../../../support/fake-time.js';

const NAME = 'demo-site-123456789012';

function s3Error(name: string, status = 400, headers: Record<string, string> = {}): S3ServiceException {
  const error = new S3ServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });
  return Object.assign(error, { $response: { statusCode: status, headers } });
}

function ours(desired: BucketDesired, overrides: Partial<ActualBucket> = {}): ActualBucket {
  return {
    id: desired.name,
    name: desired.name,
    region: desired.region,
    blockPublicAccess: desired.blockPublicAccess,
    ownership: desired.ownership,
    encryption: desired.encryption,
    tags: { ...desired.tags },
    ...overrides,
  };
}

describe('bucket', () => {
  const s3 = mockClient(S3Client);
  let desired: BucketDesired;

  beforeEach(async () => {
    s3.reset();
    desired = await bucket.desired(testContext({ key: 'bucket' }));
  });
  afterEach(() => {
    s3.reset();
  });

  describe('find', () => {
    it('reads every private setting; a bucket without our stack tag is foreign', async () => {
      s3.on(HeadBucketCommand).resolves({ BucketRegion: 'eu-central-1' });
      s3.on(GetPublicAccessBlockCommand).rejects(s3Error('NoSuchPublicAccessBlockConfiguration', 404));
      s3.on(GetBucketOwnershipControlsCommand).rejects(s3Error('OwnershipControlsNotFoundError', 404));
      s3.on(GetBucketEncryptionCommand).resolves({
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
        },
      });
      s3.on(GetBucketTaggingCommand).rejects(s3Error('NoSuchTagSet', 404));
      const found = (await bucket.find(testContext({ key: 'bucket' })))!;
      expect(found.foreign).toMatch(/without the tekamolo:stack tag/);
      const changes = bucket.diff(desired, found);
      expect(changes.map((c) => c.field)).toEqual(['blockPublicAccess', 'ownership', 'encryption', 'tags']);
      expect(changes.find((c) => c.field === 'ownership')).toMatchObject({
        from: 'none',
        to: 'BucketOwnerEnforced',
      });
    });

    it('is undefined when HeadBucket says NotFound', async () => {
      s3.on(HeadBucketCommand).rejects(s3Error('NotFound', 404));
      expect(await bucket.find(testContext({ key: 'bucket' }))).toBeUndefined();
    });

    it('a 403 on HeadBucket means another account owns the name: a UserError saying what to do', async () => {
      s3.on(HeadBucketCommand).rejects(s3Error('Forbidden', 403));
      const error = await bucket.find(testContext({ key: 'bucket' })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toBe(
        `bucket name ${NAME} is owned by another account: set frontend.bucket to another name`,
      );
    });

    it('follows a 301 to the region the bucket is in, and the diff says the region forces a replace', async () => {
      s3.on(HeadBucketCommand).rejects(s3Error('Unknown', 301, { 'x-amz-bucket-region': 'us-west-2' }));
      s3.on(GetPublicAccessBlockCommand).resolves({
        PublicAccessBlockConfiguration: desired.blockPublicAccess,
      });
      s3.on(GetBucketOwnershipControlsCommand).resolves({
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
      s3.on(GetBucketEncryptionCommand).resolves({
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      });
      s3.on(GetBucketTaggingCommand).resolves({
        TagSet: Object.entries(desired.tags).map(([Key, Value]) => ({ Key, Value })),
      });
      const found = (await bucket.find(testContext({ key: 'bucket' })))!;
      expect(found.region).toBe('us-west-2');
      expect(found.foreign).toBeUndefined();
      const changes = bucket.diff(desired, found);
      expect(changes).toHaveLength(1);
      expect(changes[0]).toMatchObject({
        field: 'region',
        from: 'us-west-2',
        to: 'eu-central-1',
        action: 'replace',
      });
      expect(bucket.outputs(found).regionalDomainName).toBe(`${NAME}.s3.us-west-2.amazonaws.com`);
    });
  });

  describe('find with the bucket named in state', () => {
    const saved = () => ({ name: NAME, region: 'eu-central-1' });

    function converged(): void {
      s3.on(GetPublicAccessBlockCommand).resolves({
        PublicAccessBlockConfiguration: desired.blockPublicAccess,
      });
      s3.on(GetBucketOwnershipControlsCommand).resolves({
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
      s3.on(GetBucketEncryptionCommand).resolves({
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      });
      s3.on(GetBucketTaggingCommand).resolves({
        TagSet: Object.entries(desired.tags).map(([Key, Value]) => ({ Key, Value })),
      });
    }

    it('reads the four settings and no HeadBucket; in sync, nothing differs', async () => {
      converged();
      const found = (await bucket.find(testContext({ key: 'bucket', saved: saved() })))!;
      expect(s3.commandCalls(HeadBucketCommand)).toHaveLength(0);
      expect(s3.calls()).toHaveLength(4);
      expect(found).toMatchObject({ name: NAME, region: 'eu-central-1' });
      expect(found.foreign).toBeUndefined();
      expect(bucket.diff(desired, found)).toEqual([]);
    });

    it('a changed setting is still drift', async () => {
      converged();
      s3.on(GetBucketEncryptionCommand).resolves({
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
        },
      });
      const found = (await bucket.find(testContext({ key: 'bucket', saved: saved() })))!;
      expect(bucket.diff(desired, found)).toMatchObject([
        { field: 'encryption', from: 'aws:kms', to: 'AES256' },
      ]);
    });

    it('a bucket deleted behind its back is gone, as its first settings read says (NoSuchBucket)', async () => {
      s3.on(GetPublicAccessBlockCommand).rejects(s3Error('NoSuchBucket', 404));
      s3.on(HeadBucketCommand).rejects(s3Error('NotFound', 404));
      expect(await bucket.find(testContext({ key: 'bucket', saved: saved() }))).toBeUndefined();
      expect(s3.commandCalls(HeadBucketCommand)).toHaveLength(0);
    });

    it('a 403 on the settings asks HeadBucket, whose 403 says another account owns the name', async () => {
      s3.on(GetPublicAccessBlockCommand).rejects(s3Error('AccessDenied', 403));
      s3.on(HeadBucketCommand).rejects(s3Error('Forbidden', 403));
      const error = await bucket
        .find(testContext({ key: 'bucket', saved: saved() }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toMatch(/owned by another account/);
    });

    it('a 301 on the settings asks HeadBucket for the region the bucket is in', async () => {
      converged();
      s3.on(GetPublicAccessBlockCommand)
        .rejectsOnce(s3Error('PermanentRedirect', 301))
        .resolves({ PublicAccessBlockConfiguration: desired.blockPublicAccess });
      s3.on(HeadBucketCommand).rejects(s3Error('Unknown', 301, { 'x-amz-bucket-region': 'us-west-2' }));
      const found = (await bucket.find(testContext({ key: 'bucket', saved: saved() })))!;
      expect(found.region).toBe('us-west-2');
      expect(bucket.diff(desired, found)).toMatchObject([{ field: 'region', action: 'replace' }]);
    });

    it('other errors of the settings reads are thrown', async () => {
      s3.on(GetPublicAccessBlockCommand).rejects(s3Error('InternalError', 500));
      const error = await bucket
        .find(testContext({ key: 'bucket', saved: saved() }))
        .catch((e: unknown) => e);
      expect((error as Error).name).toBe('InternalError');
    });
  });

  it('a bucket deleted between HeadBucket and its settings reads is gone, not a bucket without settings', async () => {
    s3.on(HeadBucketCommand).resolves({ BucketRegion: 'eu-central-1' });
    s3.on(GetPublicAccessBlockCommand).rejects(s3Error('NoSuchBucket', 404));
    expect(await bucket.find(testContext({ key: 'bucket' }))).toBeUndefined();
  });

  describe('create', () => {
    it('creates with a LocationConstraint, records the name, then makes the bucket private and tags it', async () => {
      const ctx = testContext({ key: 'bucket' });
      s3.on(CreateBucketCommand).resolves({});
      s3.on(PutPublicAccessBlockCommand).callsFake(async () => {
        expect(ctx.recorded).toEqual({ name: NAME, region: 'eu-central-1', untagged: true });
        return {};
      });
      await bucket.create(ctx, desired);
      expect(s3.commandCalls(CreateBucketCommand)[0]!.args[0].input).toEqual({
        Bucket: NAME,
        ObjectOwnership: 'BucketOwnerEnforced',
        CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' },
      });
      expect(
        s3.commandCalls(PutPublicAccessBlockCommand)[0]!.args[0].input.PublicAccessBlockConfiguration,
      ).toEqual({
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      });
      expect(s3.commandCalls(PutBucketOwnershipControlsCommand)).toHaveLength(1);
      expect(
        s3.commandCalls(PutBucketEncryptionCommand)[0]!.args[0].input.ServerSideEncryptionConfiguration
          ?.Rules?.[0],
      ).toEqual({ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } });
      expect(s3.commandCalls(PutBucketTaggingCommand)[0]!.args[0].input.Tagging?.TagSet).toContainEqual({
        Key: 'tekamolo:stack',
        Value: 'demo',
      });
    });

    it('records the name before CreateBucket, so a crash before tagging leaves a bucket known as ours', async () => {
      const ctx = testContext({ key: 'bucket' });
      let recordedAtCreate: unknown;
      s3.on(CreateBucketCommand).callsFake(async () => {
        recordedAtCreate = { ...ctx.recorded };
        throw new Error('process killed');
      });
      await expect(bucket.create(ctx, desired)).rejects.toThrow('process killed');
      expect(recordedAtCreate).toEqual({ name: NAME, region: 'eu-central-1', untagged: true });
    });

    it('proves the untagged bucket of an interrupted create its own by that record, and no other', () => {
      const found = { id: NAME, name: NAME, region: 'eu-central-1', tags: {} };
      const interrupted = testContext({ key: 'bucket', saved: { name: NAME, untagged: true } });
      expect(bucket.ownership(interrupted, found)).toEqual({});
      const other = { ...found, tags: { 'tekamolo:stack': 'other' } };
      expect(bucket.ownership(interrupted, other).notProved).toBe(
        `bucket ${NAME} belongs to tekamolo stack other`,
      );
      const tagged = testContext({ key: 'bucket', saved: { name: NAME } });
      expect(bucket.ownership(tagged, found).notProved).toBe(`bucket ${NAME} has no tekamolo:stack=demo tag`);
    });

    it('clears the untagged mark once the bucket is tagged', async () => {
      const ctx = testContext({ key: 'bucket' });
      s3.on(CreateBucketCommand).resolves({});
      await bucket.create(ctx, desired);
      expect(ctx.recorded.untagged).toBeUndefined();
    });

    it('sends no LocationConstraint in us-east-1', async () => {
      const ctx = testContext({ key: 'bucket', config: testConfig({ region: 'us-east-1' }) });
      s3.on(CreateBucketCommand).resolves({});
      await bucket.create(ctx, await bucket.desired(ctx));
      expect(
        s3.commandCalls(CreateBucketCommand)[0]!.args[0].input.CreateBucketConfiguration,
      ).toBeUndefined();
    });

    it('carries on when the bucket is already ours, and waits out NoSuchBucket right after creating', async () => {
      s3.on(CreateBucketCommand).rejects(s3Error('BucketAlreadyOwnedByYou', 409));
      s3.on(PutPublicAccessBlockCommand).rejectsOnce(s3Error('NoSuchBucket', 404)).resolves({});
      const ctx = testContext({ key: 'bucket' });
      const actual = await withFakeTime(() => bucket.create(ctx, desired));
      expect(actual.id).toBe(NAME);
      expect(s3.commandCalls(PutPublicAccessBlockCommand)).toHaveLength(2);
      expect(ctx.messages).toContain('waiting for the new bucket to become visible');
    });

    it('a name taken elsewhere is a UserError and nothing is recorded', async () => {
      const ctx = testContext({ key: 'bucket' });
      s3.on(CreateBucketCommand).rejects(s3Error('BucketAlreadyExists', 409));
      await expect(bucket.create(ctx, desired)).rejects.toThrow(/owned by another account/);
      expect(ctx.recorded).toEqual({});
    });
  });

  describe('update', () => {
    it('restores only what drifted and keeps tags others added', async () => {
      s3.on(PutPublicAccessBlockCommand).resolves({});
      s3.on(PutBucketTaggingCommand).resolves({});
      const actual = ours(desired, {
        blockPublicAccess: { ...desired.blockPublicAccess, BlockPublicPolicy: false },
        tags: { owner: 'ops' },
      });
      const changes = bucket.diff(desired, actual);
      expect(changes.map((c) => c.field)).toEqual(['blockPublicAccess', 'tags']);
      const next = await bucket.update(testContext({ key: 'bucket' }), desired, actual, changes);
      expect(bucket.diff(desired, next)).toEqual([]);
      expect(s3.commandCalls(PutBucketEncryptionCommand)).toHaveLength(0);
      expect(s3.commandCalls(PutBucketTaggingCommand)[0]!.args[0].input.Tagging?.TagSet).toContainEqual({
        Key: 'owner',
        Value: 'ops',
      });
    });
  });

  describe('delete', () => {
    it('empties every version and delete marker across pages, then deletes the bucket', async () => {
      s3.on(ListObjectVersionsCommand, { KeyMarker: undefined }).resolves({
        Versions: [
          { Key: 'index.html', VersionId: 'v2' },
          { Key: 'index.html', VersionId: 'v1' },
        ],
        DeleteMarkers: [{ Key: 'old.js', VersionId: 'm1' }],
        IsTruncated: true,
        NextKeyMarker: 'old.js',
        NextVersionIdMarker: 'm1',
      });
      s3.on(ListObjectVersionsCommand, { KeyMarker: 'old.js' }).resolves({
        Versions: [{ Key: 'z.css', VersionId: 'null' }],
        IsTruncated: false,
      });
      s3.on(DeleteObjectsCommand).resolves({});
      s3.on(DeleteBucketCommand).resolves({});
      const ctx = testContext({ key: 'bucket', options: { yes: true } });
      await bucket.delete(ctx, ours(desired));
      const deleted = s3
        .commandCalls(DeleteObjectsCommand)
        .flatMap((c) => c.args[0].input.Delete?.Objects ?? []);
      expect(deleted).toEqual([
        { Key: 'index.html', VersionId: 'v2' },
        { Key: 'index.html', VersionId: 'v1' },
        { Key: 'old.js', VersionId: 'm1' },
        { Key: 'z.css', VersionId: 'null' },
      ]);
      expect(s3.commandCalls(ListObjectVersionsCommand)[1]!.args[0].input.VersionIdMarker).toBe('m1');
      expect(s3.commandCalls(DeleteBucketCommand)).toHaveLength(1);
    });

    it('deletes in batches of at most 1000 keys', async () => {
      const versions = Array.from({ length: 1500 }, (_, i) => ({ Key: `f${i}`, VersionId: 'null' }));
      s3.on(ListObjectVersionsCommand).resolves({ Versions: versions, IsTruncated: false });
      s3.on(DeleteObjectsCommand).resolves({});
      s3.on(DeleteBucketCommand).resolves({});
      await bucket.delete(testContext({ key: 'bucket', options: { yes: true } }), ours(desired));
      expect(
        s3.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input.Delete?.Objects?.length),
      ).toEqual([1000, 500]);
    });

    it('keeps the bucket and its objects with --keep-bucket', async () => {
      const ctx = testContext({ key: 'bucket', options: { keepBucket: true } });
      await bucket.delete(ctx, ours(desired));
      expect(s3.calls()).toHaveLength(0);
      expect(ctx.messages.some((m) => m.includes('kept bucket'))).toBe(true);
    });

    it('deletes nothing when deleting the objects is not confirmed', async () => {
      s3.on(ListObjectVersionsCommand).resolves({
        Versions: [{ Key: 'a', VersionId: '1' }],
        IsTruncated: false,
      });
      const ctx = testContext({ key: 'bucket', confirm: false });
      await expect(bucket.delete(ctx, ours(desired))).rejects.toThrow(UserError);
      expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
      expect(s3.commandCalls(DeleteBucketCommand)).toHaveLength(0);
    });

    it('reports objects that could not be deleted', async () => {
      s3.on(ListObjectVersionsCommand).resolves({
        Versions: [{ Key: 'a', VersionId: '1' }],
        IsTruncated: false,
      });
      s3.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'a', Code: 'AccessDenied' }] });
      const error = await bucket
        .delete(testContext({ key: 'bucket', options: { yes: true } }), ours(desired))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkError);
      expect((error as Error).message).toContain('a: AccessDenied');
    });

    it('succeeds when the bucket is already gone', async () => {
      s3.on(ListObjectVersionsCommand).rejects(s3Error('NoSuchBucket', 404));
      s3.on(DeleteBucketCommand).rejects(s3Error('NoSuchBucket', 404));
      await expect(bucket.delete(testContext({ key: 'bucket' }), ours(desired))).resolves.toBeUndefined();
    });
  });

  it('describes object count and size over pages', async () => {
    s3.on(ListObjectsV2Command, { ContinuationToken: undefined }).resolves({
      Contents: [{ Key: 'a', Size: 1024 }],
      IsTruncated: true,
      NextContinuationToken: 't2',
    });
    s3.on(ListObjectsV2Command, { ContinuationToken: 't2' }).resolves({
      Contents: [{ Key: 'b', Size: 2048 }],
      IsTruncated: false,
    });
    expect(await bucket.describe!(testContext({ key: 'bucket' }), ours(desired))).toBe(
      '2 objects, 3.0 KiB in eu-central-1',
    );
  });

  it("counts the site's objects apart from tekamolo's own under .tekamolo/ (the sync manifest)", async () => {
    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: '.tekamolo/sync-manifest.json', Size: 743 },
        { Key: 'index.html', Size: 200 },
        { Key: 'robots.txt', Size: 15 },
      ],
      IsTruncated: false,
    });
    const ctx = testContext({ key: 'bucket' });
    expect(await bucket.describe!(ctx, ours(desired))).toBe(
      '2 objects, 215 B in eu-central-1 (+ sync manifest)',
    );

    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: '.tekamolo/sync-manifest.json', Size: 743 },
        { Key: '.tekamolo/other.json', Size: 10 },
        { Key: '.tekamolo-not-private.txt', Size: 5 },
      ],
      IsTruncated: false,
    });
    expect(await bucket.describe!(ctx, ours(desired))).toBe(
      '1 object, 5 B in eu-central-1 (+ 2 tekamolo objects under .tekamolo/)',
    );
  });
});
