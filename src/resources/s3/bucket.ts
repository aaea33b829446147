import {
  type BucketLocationConstraint,
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
  type ObjectIdentifier,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketTaggingCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import * as z from 'zod/mini';
import { errorName, hasErrorName, isNotFound, orUndefined, retryOn } from '../../aws/errors.js';
import { PRIVATE_PREFIX, SYNC_MANIFEST_KEY } from '../../config/bucket-keys.js';
import {
  type Actual,
  fieldChange,
  type Resource,
  type ResourceContext,
  STACK_TAG,
  taggedOwnership,
  tagList,
  tagMap,
} from '../../engine/contract.js';
import { UserError, WorkError } from '../../errors.js';
import type { BucketOutputs } from '../outputs.js';
import { savedState } from '../shared/saved-state.js';

export interface BlockPublicAccess {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

export interface BucketDesired {
  name: string;
  region: string;
  blockPublicAccess: BlockPublicAccess;
  ownership: 'BucketOwnerEnforced';
  encryption: 'AES256';
  tags: Record<string, string>;
}

export interface ActualBucket extends Actual {
  name: string;
  region: string;
  blockPublicAccess?: BlockPublicAccess;
  /** 'none' when the bucket has no ownership controls. */
  ownership?: string;
  /** 'none' when the bucket has no default encryption. */
  encryption?: string;
  tags: Record<string, string>;
}

const ALL_BLOCKED: BlockPublicAccess = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

/** Bounds of the listings behind `describe`: a status line should not page through millions of keys. */
const DESCRIBE_MAX_PAGES = 50;
/** DeleteObjects takes at most 1000 keys per call. */
const DELETE_BATCH = 1000;
const DELETE_ATTEMPTS = 3;

/**
 * What the bucket's state entry records; `untagged` marks a create interrupted between CreateBucket
 * and PutBucketTagging.
 */
const savedShape = z.object({
  name: z.optional(z.string()),
  region: z.optional(z.string()),
  untagged: z.optional(z.boolean()),
});

export const bucket: Resource<BucketDesired, ActualBucket, BucketOutputs> = {
  key: 'bucket',
  title: 'S3 bucket (frontend)',
  dependsOn: [],

  // Versioning stays off: the frontend is a build artefact that can be uploaded again, and every
  // deploy would otherwise keep the previous copies (and their cost) until a lifecycle rule expires them.
  desired(ctx) {
    return {
      name: ctx.names.bucket(ctx.accountId),
      region: ctx.config.region,
      blockPublicAccess: ALL_BLOCKED,
      ownership: 'BucketOwnerEnforced',
      encryption: 'AES256',
      tags: ctx.tags,
    };
  },

  async find(ctx) {
    const { name: saved, region: savedRegion } = savedState(ctx, savedShape);
    if (saved && savedRegion) {
      const known = await readKnownBucket(ctx, saved, savedRegion);
      if (known !== 'ask HeadBucket') return known;
    }
    const name = saved ?? ctx.names.bucket(ctx.accountId);
    const region = await bucketRegion(ctx, name);
    if (!region) return undefined;
    // Deleted between HeadBucket and the settings reads: gone, not a bucket with no settings.
    const actual = await orUndefined(readBucket(ctx.aws.s3(region), name, region));
    if (!actual) return undefined;
    if (!saved) {
      const owner = actual.tags[STACK_TAG];
      if (owner !== ctx.config.stack) {
        actual.foreign = owner
          ? `bucket ${name} belongs to tekamolo stack ${owner}`
          : `bucket ${name} exists without the ${STACK_TAG} tag`;
      }
    }
    return actual;
  },

  // The tag, or for a create interrupted before PutBucketTagging, the name recorded just before
  // CreateBucket with its untagged mark (a bucket tagged by another stack is never ours this way).
  ownership(ctx, actual) {
    const saved = savedState(ctx, savedShape);
    const interrupted = saved.untagged === true && saved.name === actual.name;
    if (interrupted && actual.tags[STACK_TAG] === undefined) return {};
    return taggedOwnership(ctx.config, actual.tags, `bucket ${actual.name}`);
  },

  diff(desired, actual) {
    return [
      ...fieldChange(
        'region',
        desired.region,
        actual.region,
        'replace',
        'an S3 bucket cannot move between regions: destroy the stack first or set frontend.bucket to a new name',
      ),
      ...fieldChange('blockPublicAccess', desired.blockPublicAccess, actual.blockPublicAccess),
      ...fieldChange('ownership', desired.ownership, actual.ownership),
      ...fieldChange('encryption', desired.encryption, actual.encryption),
      ...fieldChange('tags', desired.tags, pick(actual.tags, Object.keys(desired.tags))),
    ];
  },

  async create(ctx, desired) {
    const s3 = ctx.aws.s3(desired.region);
    // S3 has no idempotency token and tags only after CreateBucket: the name goes into state before the
    // bucket exists, marked untagged until PutBucketTagging, so a crash in between leaves a bucket the
    // next run proves its own (see `ownership`) rather than an untagged one it must refuse as foreign.
    await ctx.record({ name: desired.name, region: desired.region, untagged: true });
    try {
      await s3.send(
        new CreateBucketCommand({
          Bucket: desired.name,
          ObjectOwnership: 'BucketOwnerEnforced',
          // us-east-1 is the default location and rejects an explicit LocationConstraint.
          ...(desired.region === 'us-east-1'
            ? {}
            : {
                CreateBucketConfiguration: { LocationConstraint: desired.region as BucketLocationConstraint },
              }),
        }),
      );
    } catch (error) {
      // A create retried after a crash: the bucket is already ours, carry on with its settings.
      if (!hasErrorName(error, 'BucketAlreadyOwnedByYou')) {
        // Only a name owned elsewhere is surely not ours; after a timeout the bucket may well exist.
        if (hasErrorName(error, 'BucketAlreadyExists')) {
          await ctx.record({ name: undefined, region: undefined, untagged: undefined });
        }
        throw bucketError(desired.name, error);
      }
    }
    // S3 may answer NoSuchBucket for a moment right after CreateBucket while the new bucket
    // propagates through its fleet; the first configuration call waits that out.
    await retryOn(['NoSuchBucket'], () => putBlockPublicAccess(s3, desired), {
      attempts: 5,
      delayMs: 1000,
      onRetry: () => ctx.progress('waiting for the new bucket to become visible'),
    });
    await putOwnership(s3, desired);
    await putEncryption(s3, desired);
    await putTags(s3, desired.name, desired.tags);
    await ctx.record({ untagged: undefined });
    return {
      id: desired.name,
      name: desired.name,
      region: desired.region,
      blockPublicAccess: desired.blockPublicAccess,
      ownership: desired.ownership,
      encryption: desired.encryption,
      tags: { ...desired.tags },
    };
  },

  async update(ctx, desired, actual, changes) {
    const s3 = ctx.aws.s3(actual.region);
    const fields = new Set(changes.map((c) => c.field));
    if (fields.has('region')) {
      throw new UserError(
        `bucket ${actual.name} is in ${actual.region}, the stack's region is ${desired.region}`,
        'an S3 bucket cannot move between regions: destroy the stack first or set frontend.bucket to a new name',
      );
    }
    const next: ActualBucket = { ...actual, tags: { ...actual.tags } };
    if (fields.has('blockPublicAccess')) {
      await putBlockPublicAccess(s3, desired);
      next.blockPublicAccess = desired.blockPublicAccess;
    }
    if (fields.has('ownership')) {
      await putOwnership(s3, desired);
      next.ownership = desired.ownership;
    }
    if (fields.has('encryption')) {
      await putEncryption(s3, desired);
      next.encryption = desired.encryption;
    }
    if (fields.has('tags')) {
      // PutBucketTagging replaces the whole set: keep the tags others put on the bucket.
      next.tags = { ...actual.tags, ...desired.tags };
      await putTags(s3, actual.name, next.tags);
      if (savedState(ctx, savedShape).untagged) await ctx.record({ untagged: undefined });
    }
    return next;
  },

  async delete(ctx, actual) {
    if (ctx.options.keepBucket) {
      ctx.warn(`kept bucket ${actual.name} and its objects (--keep-bucket)`);
      return;
    }
    const s3 = ctx.aws.s3(actual.region);
    for (let attempt = 1; ; attempt++) {
      const emptied = await emptyBucket(ctx, s3, actual.name);
      if (emptied === 'declined') {
        throw new UserError(
          `bucket ${actual.name} still holds objects; nothing was deleted from it`,
          'run destroy again with --yes to delete its objects, or with --keep-bucket to keep the bucket',
        );
      }
      try {
        await s3.send(new DeleteBucketCommand({ Bucket: actual.name }));
        return;
      } catch (error) {
        if (hasErrorName(error, 'NoSuchBucket')) return;
        // An upload that raced the emptying (a sync-frontend still running) leaves objects behind.
        if (!hasErrorName(error, 'BucketNotEmpty') || attempt >= DELETE_ATTEMPTS) throw error;
      }
    }
  },

  outputs(actual) {
    return {
      name: actual.name,
      arn: `arn:aws:s3:::${actual.name}`,
      region: actual.region,
      regionalDomainName: `${actual.name}.s3.${actual.region}.amazonaws.com`,
    };
  },

  // The site's files are counted apart from tekamolo's own objects (the sync manifest), so that the
  // count matches the build folder that was synced.
  async describe(ctx, actual) {
    const s3 = ctx.aws.s3(actual.region);
    let count = 0;
    let bytes = 0;
    const own: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: actual.name, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        if (object.Key?.startsWith(PRIVATE_PREFIX)) {
          own.push(object.Key);
          continue;
        }
        count++;
        bytes += object.Size ?? 0;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      pages++;
    } while (token && pages < DESCRIBE_MAX_PAGES);
    const more = token ? '+' : '';
    return `${count}${more} object${count === 1 ? '' : 's'}, ${formatBytes(bytes)}${more} in ${actual.region}${ownObjects(own)}`;
  },
};

/**
 * Where the bucket lives, or undefined when it does not exist. HeadBucket on the wrong regional
 * endpoint answers 301 (400 from some endpoints) with the real region in x-amz-bucket-region; a
 * bucket that exists but is not ours answers 403.
 */
async function bucketRegion(ctx: ResourceContext, name: string): Promise<string | undefined> {
  try {
    const head = await ctx.aws.s3().send(new HeadBucketCommand({ Bucket: name }));
    return head.BucketRegion ?? ctx.config.region;
  } catch (error) {
    if (hasErrorName(error, 'NotFound', 'NoSuchBucket')) return undefined;
    const status = httpStatus(error);
    const region = regionHeader(error);
    if ((status === 301 || status === 400) && region) return region;
    if (status === 403) throw ownedByAnotherAccount(name);
    throw error;
  }
}

/**
 * A bucket the state names, with its region, as a run saw it: the settings reads answer NoSuchBucket
 * themselves when it is gone, so HeadBucket would only repeat what they say. What only HeadBucket
 * explains (403: the name is owned elsewhere now; 301/400: the bucket is in another region) goes to it.
 */
async function readKnownBucket(
  ctx: ResourceContext,
  name: string,
  region: string,
): Promise<ActualBucket | undefined | 'ask HeadBucket'> {
  try {
    return await readBucket(ctx.aws.s3(region), name, region);
  } catch (error) {
    if (hasErrorName(error, 'NoSuchBucket')) return undefined;
    const status = httpStatus(error);
    if (status === 301 || status === 400 || status === 403) return 'ask HeadBucket';
    throw error;
  }
}

/** A setting that is not configured reads as undefined; a missing bucket (NoSuchBucket) is thrown. */
async function setting<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (isNotFound(error) && !hasErrorName(error, 'NoSuchBucket')) return undefined;
    throw error;
  }
}

async function readBucket(s3: S3Client, name: string, region: string): Promise<ActualBucket> {
  const access = await setting(s3.send(new GetPublicAccessBlockCommand({ Bucket: name })));
  const ownership = await setting(s3.send(new GetBucketOwnershipControlsCommand({ Bucket: name })));
  const encryption = await setting(s3.send(new GetBucketEncryptionCommand({ Bucket: name })));
  const tagging = await setting(s3.send(new GetBucketTaggingCommand({ Bucket: name })));
  const pab = access?.PublicAccessBlockConfiguration ?? {};
  return {
    id: name,
    name,
    region,
    // No configuration at all means nothing is blocked: a real difference, not an unknown.
    blockPublicAccess: {
      BlockPublicAcls: pab.BlockPublicAcls ?? false,
      IgnorePublicAcls: pab.IgnorePublicAcls ?? false,
      BlockPublicPolicy: pab.BlockPublicPolicy ?? false,
      RestrictPublicBuckets: pab.RestrictPublicBuckets ?? false,
    },
    ownership: ownership?.OwnershipControls?.Rules?.[0]?.ObjectOwnership ?? 'none',
    encryption:
      encryption?.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault
        ?.SSEAlgorithm ?? 'none',
    tags: tagMap(tagging?.TagSet),
  };
}

function putBlockPublicAccess(s3: S3Client, desired: BucketDesired) {
  return s3.send(
    new PutPublicAccessBlockCommand({
      Bucket: desired.name,
      PublicAccessBlockConfiguration: desired.blockPublicAccess,
    }),
  );
}

function putOwnership(s3: S3Client, desired: BucketDesired) {
  return s3.send(
    new PutBucketOwnershipControlsCommand({
      Bucket: desired.name,
      OwnershipControls: { Rules: [{ ObjectOwnership: desired.ownership }] },
    }),
  );
}

function putEncryption(s3: S3Client, desired: BucketDesired) {
  return s3.send(
    new PutBucketEncryptionCommand({
      Bucket: desired.name,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: desired.encryption } }],
      },
    }),
  );
}

function putTags(s3: S3Client, name: string, tags: Record<string, string>) {
  return s3.send(new PutBucketTaggingCommand({ Bucket: name, Tagging: { TagSet: tagList(tags) } }));
}

/**
 * Delete every object version and delete marker, page by page (ListObjectVersions returns at most
 * 1000 entries per page, DeleteObjects takes at most 1000 keys). Asks before deleting anything.
 */
async function emptyBucket(
  ctx: ResourceContext,
  s3: S3Client,
  name: string,
): Promise<'emptied' | 'declined'> {
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  let asked = false;
  let deleted = 0;
  for (;;) {
    const page = await orUndefined(
      s3.send(
        new ListObjectVersionsCommand({ Bucket: name, KeyMarker: keyMarker, VersionIdMarker: versionMarker }),
      ),
    );
    if (!page) return 'emptied';
    const ids: ObjectIdentifier[] = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
      .filter((v) => v.Key !== undefined)
      .map((v) => ({ Key: v.Key as string, VersionId: v.VersionId }));
    if (ids.length > 0 && !asked) {
      asked = true;
      const more = page.IsTruncated ? ' (and more)' : '';
      const yes = await ctx.confirm(
        `Delete all ${ids.length}${more} object versions in bucket ${name}? (--keep-bucket keeps them)`,
      );
      if (!yes) return 'declined';
    }
    for (let i = 0; i < ids.length; i += DELETE_BATCH) {
      const batch = ids.slice(i, i + DELETE_BATCH);
      const result = await s3.send(
        new DeleteObjectsCommand({ Bucket: name, Delete: { Objects: batch, Quiet: true } }),
      );
      const errors = result.Errors ?? [];
      if (errors.length > 0) {
        const first = errors
          .slice(0, 3)
          .map((e) => `${e.Key}: ${e.Code}`)
          .join(', ');
        throw new WorkError(`could not delete ${errors.length} objects from bucket ${name} (${first})`);
      }
      deleted += batch.length;
      ctx.progress(`emptying bucket ${name}: ${deleted} deleted`);
    }
    if (!page.IsTruncated) return 'emptied';
    keyMarker = page.NextKeyMarker;
    versionMarker = page.NextVersionIdMarker;
  }
}

function ownedByAnotherAccount(name: string): UserError {
  return new UserError(
    `bucket name ${name} is owned by another account: set frontend.bucket to another name`,
    'S3 bucket names are global; a 403 on HeadBucket can also mean your credentials lack s3:ListBucket',
  );
}

function bucketError(name: string, error: unknown): unknown {
  if (hasErrorName(error, 'BucketAlreadyExists')) return ownedByAnotherAccount(name);
  if (hasErrorName(error, 'TooManyBuckets')) {
    return new UserError(
      `cannot create bucket ${name}: the account's bucket quota is reached (${errorName(error)})`,
      'delete unused buckets or request a higher quota in Service Quotas, then run up again',
    );
  }
  return error;
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function regionHeader(error: unknown): string | undefined {
  const response = (error as { $response?: { headers?: Record<string, string> } })?.$response;
  return response?.headers?.['x-amz-bucket-region'];
}

function pick(map: Record<string, string>, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) if (key in map) out[key] = map[key] as string;
  return out;
}

/** tekamolo's own objects, named apart from the site's count. */
function ownObjects(keys: string[]): string {
  if (keys.length === 0) return '';
  if (keys.length === 1 && keys[0] === SYNC_MANIFEST_KEY) return ' (+ sync manifest)';
  return ` (+ ${keys.length} tekamolo object${keys.length === 1 ? '' : 's'} under ${PRIVATE_PREFIX})`;
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
