import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { orUndefined } from '../../aws/errors.js';
import { PRIVATE_PREFIX } from '../../config/bucket-keys.js';
import {
  type Actual,
  fieldChange,
  isUnknown,
  known,
  knownValue,
  outputField,
  type Resource,
  type ResourceContext,
  type Unknown,
} from '../../engine/contract.js';
import { WorkError } from '../../errors.js';
import type { BucketPolicyOutputs } from '../outputs.js';

/** One IAM policy statement, as JSON. */
export type Statement = Record<string, unknown> & { Sid?: string };

export interface BucketPolicyDesired {
  bucket: string | Unknown;
  region: string | Unknown;
  /** Sid of the Allow statement. */
  sid: string;
  /**
   * CloudFront may read the site's objects, for this distribution only, and nothing under tekamolo's
   * private prefix (the sync manifest lists every key of the site).
   */
  allow: Statement;
}

export interface ActualBucketPolicy extends Actual {
  bucket: string;
  region: string;
  sid: string;
  /** Our statement as found. */
  allow?: Statement;
  /**
   * The Deny of the private prefix (Sid `<sid>-private`) that earlier versions wrote: drift, removed
   * by the next update (see `desired`).
   */
  deny?: Statement;
  /** Statements that are not ours: kept as they are on every write. */
  others: Statement[];
}

/** How `diff` shows a statement of ours that the policy does not hold. */
const MISSING = 'none';

interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement?: Statement[] | Statement;
  [key: string]: unknown;
}

export const bucketPolicy: Resource<BucketPolicyDesired, ActualBucketPolicy, BucketPolicyOutputs> = {
  key: 'bucketPolicy',
  title: 'S3 bucket policy (CloudFront access)',
  dependsOn: ['distribution', 'bucket'],
  // CloudFront keeps reading the bucket while the distribution is disabled (minutes): the permission
  // goes after the distribution, with the origin access control.
  deleteAfter: ['distribution'],

  desired(ctx) {
    const bucketName = outputField(ctx.output('bucket'), 'name');
    const sid = statementId(ctx);
    return {
      bucket: bucketName,
      region: outputField(ctx.output('bucket'), 'region'),
      sid,
      // NotResource rather than an Allow of `/*` plus a Deny of the private prefix: an explicit Deny
      // naming a service principal binds only that service on AWS, but some S3 implementations apply
      // it to every caller, the bucket owner's own reads of the manifest included. An Allow that never
      // covers the prefix grants exactly the same on both, and nothing is ever denied to the owner.
      allow: {
        Sid: sid,
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        NotResource: `arn:aws:s3:::${bucketName}/${PRIVATE_PREFIX}*`,
        Condition: { StringEquals: { 'AWS:SourceArn': outputField(ctx.output('distribution'), 'arn') } },
      },
    };
  },

  async find(ctx) {
    // A bucket that does not exist yet (plan) or any more (destroy) holds no policy.
    const bucket = known(ctx.output('bucket'));
    if (!bucket?.name || !bucket.region) return undefined;
    const sid = statementId(ctx);
    const document = await readPolicy(ctx.aws.s3(bucket.region), bucket.name);
    const statements = statementsOf(document);
    const allow = statements.find((s) => s.Sid === sid);
    const deny = statements.find((s) => s.Sid === privateSid(sid));
    if (!allow && !deny) return undefined;
    const actual: ActualBucketPolicy = {
      id: `${bucket.name}#${sid}`,
      bucket: bucket.name,
      region: bucket.region,
      sid,
      others: statements.filter((s) => !isOurs(s, sid)),
    };
    if (allow) actual.allow = allow;
    if (deny) actual.deny = deny;
    return actual;
  },

  // Statements carry no tags: ours are found by the stack's Sid, in the proved bucket, for the proved
  // distribution.
  ownership() {
    return { through: ['bucket', 'distribution'] };
  },

  diff(desired, actual) {
    return [
      ...fieldChange('allow', canonical(desired.allow), canonical(actual.allow ?? MISSING)),
      ...fieldChange('deny', MISSING, canonical(actual.deny ?? MISSING)),
    ];
  },

  async create(ctx, desired) {
    const others = await writeStatements(ctx, desired);
    const bucket = knownValue(desired.bucket, 'the bucket');
    await ctx.record({ bucket, sid: desired.sid });
    return {
      id: `${bucket}#${desired.sid}`,
      bucket,
      region: knownValue(desired.region, 'the bucket region'),
      sid: desired.sid,
      allow: desired.allow,
      others,
    };
  },

  async update(ctx, desired, actual) {
    const others = await writeStatements(ctx, desired);
    const { deny: _removed, ...rest } = actual;
    return { ...rest, allow: desired.allow, others };
  },

  async delete(ctx, actual) {
    const s3 = ctx.aws.s3(actual.region);
    const document = await readPolicy(s3, actual.bucket);
    if (!document) return;
    const statements = statementsOf(document);
    const others = statements.filter((s) => !isOurs(s, actual.sid));
    if (others.length === statements.length) return;
    if (others.length > 0) {
      await s3.send(
        new PutBucketPolicyCommand({
          Bucket: actual.bucket,
          Policy: JSON.stringify({ ...document, Statement: others }),
        }),
      );
      return;
    }
    await orUndefined(s3.send(new DeleteBucketPolicyCommand({ Bucket: actual.bucket })));
  },

  outputs(actual) {
    return { sid: actual.sid };
  },

  describe(_ctx, actual) {
    const condition = actual.allow?.Condition as { StringEquals?: Record<string, unknown> } | undefined;
    const source = condition?.StringEquals?.['AWS:SourceArn'];
    const allows = actual.allow ? `allows ${String(source ?? '?')}` : 'no Allow statement';
    const covers = actual.allow?.NotResource ? `, not ${PRIVATE_PREFIX}*` : '';
    const denies = actual.deny ? `, an old Deny of ${PRIVATE_PREFIX}*` : '';
    const kept = actual.others.length;
    return `${actual.sid} ${allows}${covers}${denies}${kept > 0 ? `; ${kept} other statement${kept === 1 ? '' : 's'} kept` : ''}`;
  },
};

function statementId(ctx: ResourceContext): string {
  return `tekamolo-${ctx.config.stack}-cloudfront`;
}

function privateSid(sid: string): string {
  return `${sid}-private`;
}

function isOurs(statement: Statement, sid: string): boolean {
  return statement.Sid === sid || statement.Sid === privateSid(sid);
}

async function readPolicy(s3: S3Client, bucket: string): Promise<PolicyDocument | undefined> {
  const response = await orUndefined(s3.send(new GetBucketPolicyCommand({ Bucket: bucket })));
  if (!response?.Policy) return undefined;
  try {
    return JSON.parse(response.Policy) as PolicyDocument;
  } catch {
    throw new WorkError(
      `the policy of bucket ${bucket} is not valid JSON`,
      'fix or delete it in the S3 console',
    );
  }
}

function statementsOf(document: PolicyDocument | undefined): Statement[] {
  const statement = document?.Statement;
  if (!statement) return [];
  return Array.isArray(statement) ? statement : [statement];
}

/**
 * Merge our statements into the bucket's current policy, read fresh so that statements others added
 * since our last read are kept. Returns the statements that are not ours.
 */
async function writeStatements(ctx: ResourceContext, desired: BucketPolicyDesired): Promise<Statement[]> {
  const bucket = knownValue(desired.bucket, 'the bucket');
  const s3 = ctx.aws.s3(knownValue(desired.region, 'the bucket region'));
  const document = (await readPolicy(s3, bucket)) ?? { Version: '2012-10-17' };
  const others = statementsOf(document).filter((s) => !isOurs(s, desired.sid));
  const policy: PolicyDocument = {
    ...document,
    Version: document.Version ?? '2012-10-17',
    Statement: [...others, desired.allow],
  };
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
  return others;
}

/**
 * A statement in a comparable form: keys sorted, one-element lists as their element (IAM treats
 * "Action": "s3:GetObject" and "Action": ["s3:GetObject"] alike and may return either).
 */
export function canonical(value: unknown): unknown {
  if (isUnknown(value)) return value;
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    return items.length === 1 ? items[0] : items;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort())
      out[key] = canonical((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}
