import {
  type DistributionSummary,
  GetDistributionCommand,
  ListDistributionsCommand,
} from '@aws-sdk/client-cloudfront';
import { GetBucketTaggingCommand } from '@aws-sdk/client-s3';
import type { Aws } from '../aws/clients.js';
import { errorName, hasErrorName, orUndefined } from '../aws/errors.js';
import type { Names } from '../config/names.js';
import { UserError } from '../errors.js';
import type { BucketOutputs, DistributionOutputs } from '../resources/outputs.js';
import { STACK_TAG } from '../tags.js';

/** Where a sync goes. */
export interface SyncTarget {
  bucket: string;
  /** The bucket's region: the S3 client must sign for it. */
  region: string;
  /** Undefined when the stack has no distribution yet and no invalidation is asked for. */
  distributionId?: string;
}

export interface TargetLookup {
  aws: Aws;
  names: Names;
  accountId: string;
  region: string;
  /** The state entries of `bucket` and `distribution`, when the state file has them. */
  bucketState?: Partial<BucketOutputs>;
  distributionState?: Partial<DistributionOutputs>;
  /** Without an invalidation a missing distribution is only a warning. */
  needDistribution: boolean;
  warn(message: string): void;
}

const NOT_UP_HINT = 'run `tekamolo up` first, then sync the frontend';

/**
 * The bucket and distribution of the stack: from the state file, else found as `up` would find them
 * (the bucket by its derived name and stack tag, the distribution by its Comment), so that a CI job
 * without the state file can still deploy.
 */
export async function findSyncTarget(lookup: TargetLookup): Promise<SyncTarget> {
  // Both lookups at once: each is a round trip or two, and neither needs the other.
  const [bucket, distributionId] = await Promise.all([
    lookup.bucketState?.name ?? findBucketByTag(lookup),
    lookup.distributionState?.id ?? findDistributionByComment(lookup),
  ]);
  const target: SyncTarget = { bucket, region: lookup.bucketState?.region ?? lookup.region };
  if (distributionId) target.distributionId = distributionId;
  else if (lookup.needDistribution) {
    throw new UserError(
      `the stack "${lookup.names.stack}" has no CloudFront distribution yet: the stack is not up`,
      `${NOT_UP_HINT}, or sync with --no-invalidate`,
    );
  } else lookup.warn('the stack has no CloudFront distribution yet: nothing is invalidated');
  return target;
}

async function findBucketByTag(lookup: TargetLookup): Promise<string> {
  const name = lookup.names.bucket(lookup.accountId);
  let tags: { Key?: string; Value?: string }[];
  try {
    const response = await lookup.aws.s3(lookup.region).send(new GetBucketTaggingCommand({ Bucket: name }));
    tags = response.TagSet ?? [];
  } catch (error) {
    if (hasErrorName(error, 'NoSuchBucket')) {
      throw new UserError(`the bucket ${name} does not exist: the stack is not up yet`, NOT_UP_HINT);
    }
    if (hasErrorName(error, 'NoSuchTagSet')) tags = [];
    else if (hasErrorName(error, 'AccessDenied', 'Forbidden', '403')) {
      throw new UserError(
        `the bucket ${name} belongs to another account (${errorName(error)})`,
        'set frontend.bucket to a name of your own and run `tekamolo up`',
      );
    } else throw error;
  }
  const stack = tags.find((tag) => tag.Key === STACK_TAG)?.Value;
  if (stack !== lookup.names.stack) {
    throw new UserError(
      `the bucket ${name} exists but is not tekamolo stack "${lookup.names.stack}"'s (tag ${STACK_TAG}=${stack ?? 'missing'})`,
      'check frontend.bucket and the stack name; tekamolo never uploads into a bucket it did not create',
    );
  }
  return name;
}

async function findDistributionByComment(lookup: TargetLookup): Promise<string | undefined> {
  const cloudfront = lookup.aws.cloudfront();
  const comment = lookup.names.distributionComment;
  const unknown: string[] = [];
  let marker: string | undefined;
  do {
    const response = await cloudfront.send(new ListDistributionsCommand({ Marker: marker }));
    const list = response.DistributionList;
    for (const item of list?.Items ?? ([] as DistributionSummary[])) {
      if (!item.Id) continue;
      if (item.Comment === comment) return item.Id;
      // A summary without a Comment (some implementations leave it out) says nothing either way.
      if (item.Comment === undefined) unknown.push(item.Id);
    }
    marker = list?.IsTruncated ? list.NextMarker : undefined;
  } while (marker);
  for (const id of unknown) {
    const response = await orUndefined(cloudfront.send(new GetDistributionCommand({ Id: id })));
    if (response?.Distribution?.DistributionConfig?.Comment === comment) return id;
  }
  return undefined;
}
