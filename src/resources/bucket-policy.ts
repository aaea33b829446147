import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { orUndefined } from '../aws/errors.js';
import {
  type Actual,
  fieldChange,
  type Resource,
  type ResourceContext,
  UNKNOWN,
} from '../engine/contract.js';
import { WorkError } from '../errors.js';
import type { BucketOutputs, BucketPolicyOutputs, DistributionOutputs } from './outputs.js';

/** One IAM policy statement, as JSON. */
export type Statement = Record<string, unknown> & { Sid?: string };

export interface BucketPolicyDesired {
  bucket: string;
  region: string;
  sid: string;
  statement: Statement;
}

export interface ActualBucketPolicy extends Actual {
  bucket: string;
  region: string;
  sid: string;
  statement: Statement;
  /** Statements that are not ours: kept as they are on every write. */
  others: Statement[];
}

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
    const bucket = ctx.output<BucketOutputs>('bucket');
    const distribution = ctx.output<DistributionOutputs>('distribution');
    const sid = statementId(ctx);
    return {
      bucket: bucket.name,
      region: bucket.region,
      sid,
      statement: {
        Sid: sid,
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${bucket.name}/*`,
        Condition: { StringEquals: { 'AWS:SourceArn': distribution.arn } },
      },
    };
  },

  async find(ctx) {
    const bucket = ctx.output<BucketOutputs>('bucket');
    // A bucket that does not exist yet (plan) or any more (destroy) holds no policy.
    if (!bucket || bucket.name === UNKNOWN || bucket.region === UNKNOWN) return undefined;
    const sid = statementId(ctx);
    const document = await readPolicy(ctx.aws.s3(bucket.region), bucket.name);
    const statements = statementsOf(document);
    const ours = statements.find((s) => s.Sid === sid);
    if (!ours) return undefined;
    return {
      id: `${bucket.name}#${sid}`,
      bucket: bucket.name,
      region: bucket.region,
      sid,
      statement: ours,
      others: statements.filter((s) => s.Sid !== sid),
    };
  },

  diff(desired, actual) {
    return fieldChange('statement', canonical(desired.statement), canonical(actual.statement));
  },

  async create(ctx, desired) {
    const others = await writeStatement(ctx, desired);
    await ctx.record({ bucket: desired.bucket, sid: desired.sid });
    return {
      id: `${desired.bucket}#${desired.sid}`,
      bucket: desired.bucket,
      region: desired.region,
      sid: desired.sid,
      statement: desired.statement,
      others,
    };
  },

  async update(ctx, desired, actual) {
    const others = await writeStatement(ctx, desired);
    return { ...actual, statement: desired.statement, others };
  },

  async delete(ctx, actual) {
    const s3 = ctx.aws.s3(actual.region);
    const document = await readPolicy(s3, actual.bucket);
    if (!document) return;
    const statements = statementsOf(document);
    const others = statements.filter((s) => s.Sid !== actual.sid);
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
    const condition = actual.statement.Condition as { StringEquals?: Record<string, unknown> } | undefined;
    const source = condition?.StringEquals?.['AWS:SourceArn'];
    const kept = actual.others.length;
    return `${actual.sid} allows ${String(source ?? '?')}${kept > 0 ? `; ${kept} other statement${kept === 1 ? '' : 's'} kept` : ''}`;
  },
};

function statementId(ctx: ResourceContext): string {
  return `tekamolo-${ctx.config.stack}-cloudfront`;
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
 * Merge our statement into the bucket's current policy, read fresh so that statements others added
 * since our last read are kept. Returns the statements that are not ours.
 */
async function writeStatement(ctx: ResourceContext, desired: BucketPolicyDesired): Promise<Statement[]> {
  const s3 = ctx.aws.s3(desired.region);
  const document = (await readPolicy(s3, desired.bucket)) ?? { Version: '2012-10-17' };
  const others = statementsOf(document).filter((s) => s.Sid !== desired.sid);
  const policy: PolicyDocument = {
    ...document,
    Version: document.Version ?? '2012-10-17',
    Statement: [...others, desired.statement],
  };
  await s3.send(new PutBucketPolicyCommand({ Bucket: desired.bucket, Policy: JSON.stringify(policy) }));
  return others;
}

/**
 * A statement in a comparable form: keys sorted, one-element lists as their element (IAM treats
 * "Action": "s3:GetObject" and "Action": ["s3:GetObject"] alike and may return either).
 */
export function canonical(value: unknown): unknown {
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
