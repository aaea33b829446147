import {
  CreateBucketCommand,
  GetBucketVersioningCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { checkStateBucket, type StateBucketCheck } from '../../../src/state/state-bucket.js';

const s3 = mockClient(S3Client);

function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });
}

function check(overrides: Partial<StateBucketCheck> = {}): StateBucketCheck & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    s3: new S3Client({ region: 'eu-west-1' }),
    bucket: 'acme-state',
    region: 'eu-west-1',
    accountId: '123456789012',
    create: false,
    confirm: async () => true,
    warn: (message) => warnings.push(message),
    warnings,
    ...overrides,
  };
}

/** Every changing call a state bucket check can make. */
const changes = () => [
  ...s3.commandCalls(CreateBucketCommand),
  ...s3.commandCalls(PutPublicAccessBlockCommand),
  ...s3.commandCalls(PutBucketEncryptionCommand),
  ...s3.commandCalls(PutBucketVersioningCommand),
];

beforeEach(() => s3.reset());
afterEach(() => s3.reset());

describe('the state bucket', () => {
  it('of another account (S3 answers 403 to ExpectedBucketOwner): exit 2, nothing changed', async () => {
    s3.on(HeadBucketCommand).rejects(s3Error('Forbidden', 403));
    const failure = await checkStateBucket(check({ create: true })).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UserError);
    expect((failure as Error).message).toContain(
      'acme-state belongs to another AWS account than 123456789012',
    );
    expect(s3.commandCalls(HeadBucketCommand)[0]?.args[0].input.ExpectedBucketOwner).toBe('123456789012');
    expect(changes()).toEqual([]);
  });

  it('in another region than state.region (S3 answers 301): exit 2 naming the setting, nothing changed', async () => {
    s3.on(HeadBucketCommand).rejects(s3Error('PermanentRedirect', 301));
    const failure = await checkStateBucket(check({ create: true })).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UserError);
    expect((failure as UserError).message).toBe(
      'the state bucket acme-state is not in eu-west-1; nothing was changed',
    );
    expect((failure as UserError).hint).toContain('state.region');
    expect(changes()).toEqual([]);
  });

  it('a HeadBucket failure that says nothing about the bucket is thrown as it is, nothing created', async () => {
    s3.on(HeadBucketCommand).rejects(s3Error('InternalError', 500));
    await expect(checkStateBucket(check({ create: true }))).rejects.toThrow('InternalError');
    expect(changes()).toEqual([]);
  });

  it('without versioning: used, with a warning that names it', async () => {
    s3.on(HeadBucketCommand).resolves({});
    s3.on(GetBucketVersioningCommand).resolves({});
    const c = check();
    expect(await checkStateBucket(c)).toBe('present');
    expect(c.warnings).toEqual([expect.stringContaining('state bucket acme-state has no versioning')]);
  });

  it('versioned: no warning', async () => {
    s3.on(HeadBucketCommand).resolves({});
    s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled' });
    const c = check();
    expect(await checkStateBucket(c)).toBe('present');
    expect(c.warnings).toEqual([]);
  });

  it('missing, for a command that does not create it: reported missing, nothing asked or created', async () => {
    s3.on(HeadBucketCommand).rejects(s3Error('NotFound', 404));
    let asked = false;
    const result = await checkStateBucket(
      check({
        confirm: async () => {
          asked = true;
          return true;
        },
      }),
    );
    expect(result).toBe('missing');
    expect(asked).toBe(false);
    expect(changes()).toEqual([]);
  });

  it('missing and the creation declined: exit 2, nothing created', async () => {
    s3.on(HeadBucketCommand).rejects(s3Error('NotFound', 404));
    await expect(checkStateBucket(check({ create: true, confirm: async () => false }))).rejects.toThrow(
      /state bucket acme-state does not exist; nothing was changed/,
    );
    expect(changes()).toEqual([]);
  });

  it('missing and confirmed: created private, encrypted and versioned; a retried create that finds it ours goes on', async () => {
    s3.on(HeadBucketCommand).rejects(s3Error('NotFound', 404));
    s3.on(CreateBucketCommand).rejects(s3Error('BucketAlreadyOwnedByYou', 409));
    expect(await checkStateBucket(check({ create: true }))).toBe('created');
    expect(s3.commandCalls(CreateBucketCommand)[0]?.args[0].input).toMatchObject({
      Bucket: 'acme-state',
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
    });
    expect(
      s3.commandCalls(PutPublicAccessBlockCommand)[0]?.args[0].input.PublicAccessBlockConfiguration,
    ).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    expect(s3.commandCalls(PutBucketEncryptionCommand)).toHaveLength(1);
    expect(s3.commandCalls(PutBucketVersioningCommand)[0]?.args[0].input.VersioningConfiguration).toEqual({
      Status: 'Enabled',
    });
  });

  it('a name taken by another account: exit 2', async () => {
    s3.on(HeadBucketCommand).rejects(s3Error('NotFound', 404));
    s3.on(CreateBucketCommand).rejects(s3Error('BucketAlreadyExists', 409));
    await expect(checkStateBucket(check({ create: true }))).rejects.toBeInstanceOf(UserError);
  });
});
