import { readFile } from 'node:fs/promises';
import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketTaggingCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
  type Tag,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { apply } from '../../../src/engine/apply.js';
import { bucket } from '../../../src/resources/s3/bucket.js';
import type { StateFile } from '../../../src/state/types.js';
import { testConfig } from '../../support/context.js';
import { fakeEnv } from '../../support/fake-resources.js';

/**
 * `up` killed right after CreateBucket was carried out, before its answer arrived: S3 has no
 * idempotency token and tags a bucket only after creating it, the narrowest crash window. The real
 * bucket handler and engine over an S3 that keeps its buckets in memory and answers as AWS documents
 * (BucketAlreadyOwnedByYou on a repeated create, NoSuch… for a setting never put). The end-to-end
 * tests keep a kill in the middle of a whole `up` (test/integration/e2e-up.test.ts).
 */

const STACK = 'demo';

interface FakeBucket {
  publicAccessBlock?: object;
  ownership?: string;
  encryption?: string;
  tags?: Tag[];
}

function s3Error(name: string, status: number): S3ServiceException {
  const error = new S3ServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });
  return Object.assign(error, { $response: { statusCode: status, headers: {} } });
}

/** S3 with buckets in memory, and a process that dies once the call named in `killAfter` is carried out. */
class FakeS3 {
  readonly buckets = new Map<string, FakeBucket>();
  /** Changing calls carried out, in order. */
  readonly changes: string[] = [];
  killAfter: string | undefined;
  private killed = false;

  /** Carries out `call` unless the process is gone; loses its answer when it is the one to die after. */
  run<T>(operation: string, call: () => T): T {
    if (this.killed) throw new Error('killed: the process is gone');
    const result = call();
    if (!/^(Get|Head)/.test(operation)) this.changes.push(operation);
    if (operation === this.killAfter) {
      this.killed = true;
      throw new Error('killed: the answer was lost');
    }
    return result;
  }

  revive(): void {
    this.killed = false;
    this.killAfter = undefined;
  }

  get(name: string | undefined): FakeBucket {
    const found = this.buckets.get(String(name));
    if (!found) throw s3Error('NoSuchBucket', 404);
    return found;
  }
}

describe('up killed right after CreateBucket answered', () => {
  const s3 = mockClient(S3Client);
  afterEach(() => {
    s3.reset();
  });

  function serve(cloud: FakeS3): void {
    s3.on(HeadBucketCommand).callsFake((input) =>
      cloud.run('HeadBucket', () => {
        if (!cloud.buckets.has(String(input.Bucket))) throw s3Error('NotFound', 404);
        return { BucketRegion: 'eu-central-1' };
      }),
    );
    s3.on(CreateBucketCommand).callsFake((input) =>
      cloud.run('CreateBucket', () => {
        if (cloud.buckets.has(String(input.Bucket))) throw s3Error('BucketAlreadyOwnedByYou', 409);
        cloud.buckets.set(String(input.Bucket), { ownership: input.ObjectOwnership });
        return {};
      }),
    );
    const setting = <K extends keyof FakeBucket>(
      bucketName: string | undefined,
      key: K,
      missing: string,
    ): NonNullable<FakeBucket[K]> => {
      const value = cloud.get(bucketName)[key];
      if (value === undefined) throw s3Error(missing, 404);
      return value as NonNullable<FakeBucket[K]>;
    };
    s3.on(GetPublicAccessBlockCommand).callsFake((input) =>
      cloud.run('GetPublicAccessBlock', () => ({
        PublicAccessBlockConfiguration: setting(
          input.Bucket,
          'publicAccessBlock',
          'NoSuchPublicAccessBlockConfiguration',
        ),
      })),
    );
    s3.on(GetBucketOwnershipControlsCommand).callsFake((input) =>
      cloud.run('GetBucketOwnershipControls', () => ({
        OwnershipControls: {
          Rules: [{ ObjectOwnership: setting(input.Bucket, 'ownership', 'OwnershipControlsNotFoundError') }],
        },
      })),
    );
    s3.on(GetBucketEncryptionCommand).callsFake((input) =>
      cloud.run('GetBucketEncryption', () => ({
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: {
                SSEAlgorithm: setting(
                  input.Bucket,
                  'encryption',
                  'ServerSideEncryptionConfigurationNotFoundError',
                ) as 'AES256',
              },
            },
          ],
        },
      })),
    );
    s3.on(GetBucketTaggingCommand).callsFake((input) =>
      cloud.run('GetBucketTagging', () => ({ TagSet: setting(input.Bucket, 'tags', 'NoSuchTagSet') })),
    );
    s3.on(PutPublicAccessBlockCommand).callsFake((input) =>
      cloud.run('PutPublicAccessBlock', () => {
        cloud.get(input.Bucket).publicAccessBlock = { ...input.PublicAccessBlockConfiguration };
        return {};
      }),
    );
    s3.on(PutBucketOwnershipControlsCommand).callsFake((input) =>
      cloud.run('PutBucketOwnershipControls', () => {
        cloud.get(input.Bucket).ownership = input.OwnershipControls?.Rules?.[0]?.ObjectOwnership;
        return {};
      }),
    );
    s3.on(PutBucketEncryptionCommand).callsFake((input) =>
      cloud.run('PutBucketEncryption', () => {
        cloud.get(input.Bucket).encryption =
          input.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
        return {};
      }),
    );
    s3.on(PutBucketTaggingCommand).callsFake((input) =>
      cloud.run('PutBucketTagging', () => {
        cloud.get(input.Bucket).tags = [...(input.Tagging?.TagSet ?? [])];
        return {};
      }),
    );
  }

  const upIn = async (dir?: string) => {
    const env = await fakeEnv([bucket], { config: testConfig({ stack: STACK }), ...(dir ? { dir } : {}) });
    return { env, result: await apply(env) };
  };

  it('the next up takes the untagged bucket as its own and makes it private; the one after changes nothing', async () => {
    const cloud = new FakeS3();
    serve(cloud);

    cloud.killAfter = 'CreateBucket';
    const killed = await upIn();
    expect(killed.result.ok).toBe(false);
    expect(cloud.changes).toEqual(['CreateBucket']);
    const [name] = [...cloud.buckets.keys()];
    expect(cloud.buckets.get(String(name))?.tags).toBeUndefined();
    const saved = JSON.parse(await readFile(killed.env.store.path, 'utf8')) as StateFile;
    expect(saved.resources.bucket).toMatchObject({ name, untagged: true });

    cloud.revive();
    const resumed = await upIn(killed.env.dir);
    expect(
      resumed.result.ok,
      JSON.stringify(resumed.env.events.filter((e) => e.code === 'resource-failed')),
    ).toBe(true);
    expect(cloud.changes.filter((c) => c === 'CreateBucket')).toHaveLength(1);
    expect([...cloud.buckets.keys()]).toEqual([name]);
    expect(cloud.buckets.get(String(name))).toEqual({
      ownership: 'BucketOwnerEnforced',
      publicAccessBlock: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
      encryption: 'AES256',
      tags: expect.arrayContaining([
        { Key: 'tekamolo:stack', Value: STACK },
        { Key: 'tekamolo:resource', Value: 'bucket' },
      ]),
    });
    expect(resumed.env.store.get('bucket')?.untagged).toBeUndefined();

    const changesBefore = cloud.changes.length;
    const again = await upIn(killed.env.dir);
    expect(again.result.ok).toBe(true);
    expect(cloud.changes.slice(changesBefore)).toEqual([]);
  });
});
