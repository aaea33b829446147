import {
  BucketVersioningStatus,
  CreateBucketCommand,
  GetBucketVersioningCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { hasErrorName } from '../aws/errors.js';
import { UserError } from '../errors.js';

export interface StateBucketCheck {
  s3: S3Client;
  bucket: string;
  region: string;
  /** The account of the credentials in use: a state bucket of another account is refused. */
  accountId: string;
  /** `up`: a missing bucket is created after `confirm`; other commands never create it. */
  create: boolean;
  confirm(question: string): Promise<boolean>;
  warn(message: string): void;
}

/** What was found: the bucket is there (made now or before), or missing (read-only commands). */
export type StateBucketFound = 'present' | 'created' | 'missing';

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/**
 * The state bucket: it must be this account's (a state in a bucket of another account would steer
 * this account's resources, and its owner could read the stack's secrets), and should be versioned
 * (history, and a way back from a bad write). `up` creates a missing one, private, encrypted and
 * versioned, after confirmation; plan and status never do.
 */
export async function checkStateBucket(check: StateBucketCheck): Promise<StateBucketFound> {
  const { s3, bucket, accountId } = check;
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner: accountId }));
  } catch (error) {
    const status = httpStatus(error);
    if (status === 403) {
      throw new UserError(
        `the state bucket ${bucket} belongs to another AWS account than ${accountId}, or these credentials may not read it; nothing was changed`,
        'use a bucket of this account for state.bucket, or credentials that may read it',
      );
    }
    if (status === 301 || hasErrorName(error, 'PermanentRedirect')) {
      throw new UserError(
        `the state bucket ${bucket} is not in ${check.region}; nothing was changed`,
        "set state.region to the bucket's region",
      );
    }
    if (status !== 404 && !hasErrorName(error, 'NotFound', 'NoSuchBucket')) throw error;
    if (!check.create) return 'missing';
    const yes = await check.confirm(
      `The state bucket ${bucket} does not exist. Create it in ${check.region} (private, encrypted, versioned)?`,
    );
    if (!yes) {
      throw new UserError(
        `the state bucket ${bucket} does not exist; nothing was changed`,
        'run again with --yes (or answer y) to create it, or fix state.bucket in the config',
      );
    }
    await createStateBucket(check);
    return 'created';
  }
  const versioning = await s3.send(
    new GetBucketVersioningCommand({ Bucket: bucket, ExpectedBucketOwner: accountId }),
  );
  if (versioning.Status !== BucketVersioningStatus.Enabled) {
    check.warn(
      `the state bucket ${bucket} has no versioning: an earlier state cannot be restored and \`tekamolo state history\` shows only the current one; turn versioning on for it`,
    );
  }
  return 'present';
}

/** Each step can be repeated: a retry after a lost answer finds the bucket already ours. */
async function createStateBucket({ s3, bucket, region, accountId }: StateBucketCheck): Promise<void> {
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ObjectOwnership: 'BucketOwnerEnforced',
        // us-east-1 is the one region S3 refuses as a LocationConstraint.
        ...(region !== 'us-east-1' && { CreateBucketConfiguration: { LocationConstraint: region } }),
      } as ConstructorParameters<typeof CreateBucketCommand>[0]),
    );
  } catch (error) {
    if (hasErrorName(error, 'BucketAlreadyExists')) {
      throw new UserError(
        `the state bucket name ${bucket} is taken by another AWS account; nothing was changed`,
        'choose another state.bucket (bucket names are global across all accounts)',
      );
    }
    if (!hasErrorName(error, 'BucketAlreadyOwnedByYou')) throw error;
  }
  const owner = { Bucket: bucket, ExpectedBucketOwner: accountId };
  await s3.send(
    new PutPublicAccessBlockCommand({
      ...owner,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    }),
  );
  await s3.send(
    new PutBucketEncryptionCommand({
      ...owner,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    }),
  );
  await s3.send(new PutBucketVersioningCommand({ ...owner, VersioningConfiguration: { Status: 'Enabled' } }));
}
