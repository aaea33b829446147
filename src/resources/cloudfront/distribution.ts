import { createHash } from 'node:crypto';
import {
  type CloudFrontClient,
  CreateDistributionWithTagsCommand,
  DeleteDistributionCommand,
  type Distribution,
  GetDistributionCommand,
  ListDistributionsCommand,
  ListInvalidationsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
} from '@aws-sdk/client-cloudfront';
import * as z from 'zod/mini';
import { errorName, hasErrorName, isNotFound, orUndefined, retryOn } from '../../aws/errors.js';
import { USUALLY } from '../../aws/usual-durations.js';
import { waitFor } from '../../aws/waiter.js';
import {
  type Actual,
  type Change,
  fieldChange,
  isUnknown,
  outputField,
  type Resource,
  type ResourceContext,
  STACK_TAG,
  taggedOwnership,
  tagList,
  tagMap,
  unknown,
} from '../../engine/contract.js';
import { UserError, WorkError } from '../../errors.js';
import type { DistributionOutputs } from '../outputs.js';
import { savedState } from '../shared/saved-state.js';
import { changeDistributionConfig, withFreshETag } from './config.js';
import { unmodeled } from './distribution-kept.js';
import {
  applySettings,
  type DesiredSettings,
  type DistributionSettings,
  knownSettings,
  readSettings,
  SECRET_SETTINGS,
  type SettingName,
  STATIC_SETTINGS,
  sorted,
} from './distribution-settings.js';

export interface DistributionDesired {
  settings: DesiredSettings;
  /** How the distribution is recognised without state: ctx.names.distributionComment. */
  comment: string;
  /** Deterministic, so a create retried after a crash is refused as a duplicate instead of doubling. */
  callerReference: string;
  tags: Record<string, string>;
}

export interface ActualDistribution extends Actual {
  arn: string;
  domainName: string;
  /** InProgress while a change propagates, then Deployed. */
  status: string;
  settings: Partial<DistributionSettings>;
  tags?: Record<string, string>;
}

/** Phases of a destroy, recorded in state so that an interrupted destroy resumes where it stopped. */
export type DeletePhase = 'disabling' | 'deleting';

/** What the distribution's state entry records. */
const savedShape = z.object({
  id: z.optional(z.string()),
  arn: z.optional(z.string()),
  domainName: z.optional(z.string()),
  deletePhase: z.optional(z.enum(['disabling', 'deleting'])),
});

const LIST_MAX_PAGES = 100;
/** ACM certificates reach CloudFront within a minute or two of being issued. */
const CERTIFICATE_VISIBLE_ATTEMPTS = 12;

export const distribution: Resource<DistributionDesired, ActualDistribution, DistributionOutputs> = {
  key: 'distribution',
  title: 'CloudFront distribution',
  dependsOn: ['bucket', 'oac', 'validation', 'originRecord', 'listener', 'spaFunction'],
  optionalWait: true,

  desired(ctx) {
    const listener = ctx.output('listener');
    const routing = ctx.config.frontend.routing === 'none' ? undefined : ctx.output('spaFunction');
    const settings: DesiredSettings = {
      ...STATIC_SETTINGS,
      defaultAllowedMethods: [...STATIC_SETTINGS.defaultAllowedMethods],
      apiAllowedMethods: [...STATIC_SETTINGS.apiAllowedMethods],
      apiOriginSslProtocols: [...STATIC_SETTINGS.apiOriginSslProtocols],
      aliases: sorted(ctx.names.siteNames),
      certificateArn: outputField(ctx.output('validation'), 'cdnCertificateArn'),
      priceClass: ctx.config.cdn.priceClass,
      s3OriginDomain: outputField(ctx.output('bucket'), 'regionalDomainName'),
      s3OriginAccessControlId: outputField(ctx.output('oac'), 'id'),
      apiOriginDomain: ctx.names.originName,
      apiOriginHeaderName: outputField(listener, 'originHeaderName'),
      apiOriginSecret: outputField(listener, 'originSecret'),
      routingFunctionArn: isUnknown(routing) ? unknown : (routing?.arn ?? ''),
      apiPathPattern: ctx.config.cdn.apiPath,
    };
    return {
      settings,
      comment: ctx.names.distributionComment,
      callerReference: callerReference(ctx, settings),
      tags: ctx.tags,
    };
  },

  async find(ctx) {
    const cloudfront = ctx.aws.cloudfront();
    const savedId = savedState(ctx, savedShape).id;
    if (savedId) {
      const saved = await orUndefined(cloudfront.send(new GetDistributionCommand({ Id: savedId })));
      if (saved?.Distribution)
        return withTags(cloudfront, fromAws(saved.Distribution, ctx.config.cdn.apiPath));
    }
    return findByComment(ctx, cloudfront);
  },

  ownership(ctx, actual) {
    return taggedOwnership(ctx.config, actual.tags, `distribution ${actual.id}`);
  },

  diff(desired, actual) {
    const changes: Change[] = [];
    for (const field of Object.keys(desired.settings) as SettingName[]) {
      const found = fieldChange(field, desired.settings[field], actual.settings[field]);
      if (SECRET_SETTINGS.has(field)) {
        for (const change of found) changes.push({ ...change, from: '(secret)', to: '(secret)' });
      } else changes.push(...found);
    }
    if (actual.tags) {
      changes.push(...fieldChange('tags', desired.tags, ownTags(actual.tags, desired.tags)));
    }
    return changes;
  },

  async create(ctx, desired) {
    const cloudfront = ctx.aws.cloudfront();
    const send = (reference: string) =>
      withCertificateRetry(ctx, desired, () =>
        cloudfront.send(
          new CreateDistributionWithTagsCommand({
            DistributionConfigWithTags: {
              DistributionConfig: applySettings(undefined, knownSettings(desired.settings), {
                callerReference: reference,
                comment: desired.comment,
              }),
              Tags: { Items: tagList(desired.tags) },
            },
          }),
        ),
      );
    let created: Distribution | undefined;
    try {
      created = (await send(desired.callerReference)).Distribution;
    } catch (error) {
      if (!hasErrorName(error, 'DistributionAlreadyExists')) throw error;
      // A create retried after a crash or a lost answer: the first request did create it. Take it
      // over and converge.
      const existing = await holderOfReference(ctx, cloudfront, error);
      if (existing) {
        await ctx.record({ id: existing.id, arn: existing.arn, domainName: existing.domainName });
        const changes = distribution.diff(desired, existing);
        return changes.length > 0 ? distribution.update(ctx, desired, existing, changes) : existing;
      }
      // The reference belonged to a distribution of this stack that has been deleted since: AWS
      // keeps refusing it, so this one create uses a fresh reference.
      created = (await send(`${desired.callerReference}-${Date.now()}`)).Distribution;
    }
    if (!created?.Id) throw new Error('CreateDistributionWithTags returned no distribution id');
    const actual = fromAws(created, ctx.config.cdn.apiPath);
    await ctx.record({ id: actual.id, arn: actual.arn, domainName: actual.domainName });
    actual.tags = { ...desired.tags };
    return actual;
  },

  async update(ctx, desired, actual, changes) {
    const cloudfront = ctx.aws.cloudfront();
    let next: ActualDistribution = actual;
    if (changes.some((c) => c.field !== 'tags')) {
      ctx.progress('updating the distribution config');
      const result = await withCertificateRetry(ctx, desired, () =>
        changeDistributionConfig(cloudfront, actual.id, (config) =>
          applySettings(config, knownSettings(desired.settings), {
            callerReference: desired.callerReference,
            comment: desired.comment,
          }),
        ),
      );
      if (result.distribution) {
        next = { ...fromAws(result.distribution, ctx.config.cdn.apiPath), tags: actual.tags };
      }
    }
    if (changes.some((c) => c.field === 'tags')) {
      await cloudfront.send(
        new TagResourceCommand({ Resource: actual.arn, Tags: { Items: tagList(desired.tags) } }),
      );
      next = { ...next, tags: { ...actual.tags, ...desired.tags } };
    }
    return next;
  },

  async delete(ctx, actual) {
    const cloudfront = ctx.aws.cloudfront();
    // Two rounds at most: DistributionNotDisabled after our disable means someone enabled it again.
    for (let round = 1; ; round++) {
      const current = await orUndefined(cloudfront.send(new GetDistributionCommand({ Id: actual.id })));
      if (!current?.Distribution) return;
      if (current.Distribution.DistributionConfig?.Enabled) {
        ctx.progress('disabling the distribution');
        await changeDistributionConfig(cloudfront, actual.id, (config) =>
          config.Enabled ? { ...config, Enabled: false } : undefined,
        );
        await ctx.record({ deletePhase: 'disabling' satisfies DeletePhase });
      } else if (savedState(ctx, savedShape).deletePhase === undefined) {
        await ctx.record({ deletePhase: 'disabling' satisfies DeletePhase });
      }
      if (!ctx.options.wait) {
        const status = await readStatus(cloudfront, actual.id);
        if (status === undefined) return;
        // The disable takes CloudFront several minutes; the next destroy picks it up from here.
        if (status !== 'Deployed') return 'pending';
      } else {
        await waitDeployed(ctx, actual.id, 'the distribution to be disabled', deleteHint(actual));
      }
      await ctx.record({ deletePhase: 'deleting' satisfies DeletePhase });
      try {
        await withFreshETag(
          () => readEtag(cloudfront, actual.id),
          ({ etag }) => cloudfront.send(new DeleteDistributionCommand({ Id: actual.id, IfMatch: etag })),
        );
        return;
      } catch (error) {
        if (isNotFound(error)) return;
        if (!hasErrorName(error, 'DistributionNotDisabled') || round >= 2) throw error;
        ctx.warn(`distribution ${actual.id} was enabled again while being deleted; disabling it again`);
      }
    }
  },

  async wait(ctx, actual) {
    // Found Deployed (a converged stack, or an update of tags only): reading it again changes nothing.
    if (actual.status === 'Deployed') return actual;
    const status = await waitDeployed(
      ctx,
      actual.id,
      'CloudFront deployment',
      `CloudFront usually deploys in 5–15 minutes; check distribution ${actual.id} in the CloudFront console. ` +
        'Run up again to resume the wait, or use --no-wait.',
    );
    return { ...actual, status };
  },

  outputs(actual) {
    return { id: actual.id, arn: actual.arn, domainName: actual.domainName };
  },

  async describe(ctx, actual) {
    const response = await ctx.aws
      .cloudfront()
      .send(new ListInvalidationsCommand({ DistributionId: actual.id, MaxItems: 100 }));
    const running = (response.InvalidationList?.Items ?? []).filter((i) => i.Status === 'InProgress');
    const parts = [actual.status, actual.domainName];
    if (actual.settings.enabled === false) parts.push('disabled');
    if (running.length > 0) {
      parts.push(`${running.length} invalidation${running.length === 1 ? '' : 's'} in progress`);
    }
    return parts.join(', ');
  },

  async health(ctx, actual) {
    // `destroy --no-wait` disabled it and left it to deploy: the next destroy deletes it.
    if (savedState(ctx, savedShape).deletePhase !== undefined) {
      return {
        state: 'pending',
        detail: `being deleted (${actual.status}): run \`tekamolo destroy\` to finish`,
      };
    }
    if (actual.settings.enabled === false) return { state: 'unhealthy', detail: 'distribution is disabled' };
    if (actual.status !== 'Deployed') {
      return { state: 'pending', detail: `changes are deploying to the edge (${actual.status})` };
    }
    return { state: 'ok' };
  },
};

function callerReference(ctx: ResourceContext, settings: DesiredSettings): string {
  const inputs = JSON.stringify([
    ctx.config.stack,
    'distribution',
    settings.aliases,
    settings.certificateArn,
    settings.s3OriginDomain,
    settings.apiOriginDomain,
  ]);
  return `tekamolo-${ctx.config.stack}-${createHash('sha256').update(inputs).digest('hex').slice(0, 16)}`;
}

/** `apiPath`: the config's cdn.apiPath, which tells our API behaviour from the others. */
function fromAws(distribution: Distribution, apiPath: string): ActualDistribution {
  const config = distribution.DistributionConfig;
  const actual: ActualDistribution = {
    id: distribution.Id ?? '',
    arn: distribution.ARN ?? '',
    domainName: distribution.DomainName ?? '',
    status: distribution.Status ?? 'unknown',
    settings: config ? readSettings(config, apiPath) : {},
  };
  const kept = config ? unmodeled(config, apiPath) : [];
  if (kept.length > 0) actual.kept = kept;
  return actual;
}

async function withTags(
  cloudfront: CloudFrontClient,
  actual: ActualDistribution,
): Promise<ActualDistribution> {
  const response = await cloudfront.send(new ListTagsForResourceCommand({ Resource: actual.arn }));
  return { ...actual, tags: tagMap(response.Tags?.Items) };
}

function ownTags(actual: Record<string, string>, desired: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(desired)) if (key in actual) out[key] = actual[key] as string;
  return out;
}

/** Without state: the distribution whose comment is ours, and whose stack tag says so. */
async function findByComment(
  ctx: ResourceContext,
  cloudfront: CloudFrontClient,
): Promise<ActualDistribution | undefined> {
  const comment = ctx.names.distributionComment;
  const candidates: string[] = [];
  let marker: string | undefined;
  for (let page = 0; page < LIST_MAX_PAGES; page++) {
    const response = await cloudfront.send(new ListDistributionsCommand({ Marker: marker }));
    const list = response.DistributionList;
    for (const item of list?.Items ?? []) {
      // A summary without a Comment says nothing either way: the full read below decides.
      if (item.Id && (item.Comment === comment || item.Comment === undefined)) candidates.push(item.Id);
    }
    marker = list?.IsTruncated ? list.NextMarker : undefined;
    if (!marker) break;
  }
  let foreign: ActualDistribution | undefined;
  for (const id of candidates) {
    const response = await orUndefined(cloudfront.send(new GetDistributionCommand({ Id: id })));
    if (!response?.Distribution || response.Distribution.DistributionConfig?.Comment !== comment) continue;
    const actual = await withTags(cloudfront, fromAws(response.Distribution, ctx.config.cdn.apiPath));
    const owner = actual.tags?.[STACK_TAG];
    if (owner === ctx.config.stack) return actual;
    foreign ??= {
      ...actual,
      foreign: owner
        ? `distribution ${id} with comment "${comment}" belongs to tekamolo stack ${owner}`
        : `distribution ${id} has comment "${comment}" but no ${STACK_TAG} tag`,
    };
  }
  return foreign;
}

/**
 * The distribution that holds our caller reference, named by CloudFront's DistributionAlreadyExists
 * message ("… Already exists: E1ABC"): read by id, because the listing can lag a create by minutes.
 * Undefined only when that distribution is proved deleted.
 */
async function holderOfReference(
  ctx: ResourceContext,
  cloudfront: CloudFrontClient,
  error: unknown,
): Promise<ActualDistribution | undefined> {
  const message = error instanceof Error ? error.message : '';
  const id = /Already exists:\s*([A-Z0-9]+)/i.exec(message)?.[1];
  if (!id) {
    const listed = await findByComment(ctx, cloudfront);
    if (listed && !listed.foreign) return listed;
    throw new WorkError(
      `CloudFront refused the caller reference as taken (${message}), and no distribution of this stack is listed yet`,
      'run up again in a minute: CloudFront lists a new distribution with a delay',
    );
  }
  const response = await orUndefined(cloudfront.send(new GetDistributionCommand({ Id: id })));
  if (!response?.Distribution) return undefined;
  const actual = await withTags(cloudfront, fromAws(response.Distribution, ctx.config.cdn.apiPath));
  const owner = actual.tags?.[STACK_TAG];
  if (owner !== ctx.config.stack) {
    throw new UserError(
      `distribution ${id} holds this stack's caller reference but ${owner ? `belongs to stack ${owner}` : `has no ${STACK_TAG} tag`}`,
      `check distribution ${id} in the CloudFront console; tag it ${STACK_TAG}=${ctx.config.stack} to adopt it`,
    );
  }
  return actual;
}

/**
 * A certificate issued moments ago is not yet visible to CloudFront, which answers
 * InvalidViewerCertificate for a while; retried a bounded number of times. Errors that mean bad
 * input become UserErrors that say what to do.
 */
async function withCertificateRetry<T>(
  ctx: ResourceContext,
  desired: DistributionDesired,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await retryOn(['InvalidViewerCertificate'], call, {
      attempts: CERTIFICATE_VISIBLE_ATTEMPTS,
      delayMs: ctx.config.waits.pollSeconds * 1000,
      onRetry: (_error, attempt) =>
        ctx.progress(`certificate not yet visible to CloudFront (attempt ${attempt}), retrying`),
    });
  } catch (error) {
    throw distributionError(desired, error);
  }
}

function distributionError(desired: DistributionDesired, error: unknown): unknown {
  const aliases = desired.settings.aliases.join(', ');
  if (hasErrorName(error, 'CNAMEAlreadyExists')) {
    return new UserError(
      `one of the names ${aliases} is already an alias of another CloudFront distribution`,
      'remove the name from the other distribution (or move it with CloudFront associate-alias), ' +
        'or change domain/aliases in the config; then run up again',
    );
  }
  if (hasErrorName(error, 'InvalidViewerCertificate')) {
    return new UserError(
      `CloudFront does not accept certificate ${desired.settings.certificateArn} for ${aliases}`,
      'the certificate must be ISSUED, in us-east-1, and cover every alias; check it in ACM',
    );
  }
  if (
    hasErrorName(
      error,
      'TooManyDistributions',
      'TooManyDistributionCNAMEs',
      'TooManyDistributionsAssociatedToCachePolicy',
      'TooManyDistributionsWithFunctionAssociations',
    )
  ) {
    return new UserError(
      `a CloudFront quota is reached (${errorName(error)})`,
      'delete unused distributions or request a higher quota in Service Quotas, then run up again',
    );
  }
  return error;
}

async function readStatus(cloudfront: CloudFrontClient, id: string): Promise<string | undefined> {
  const response = await orUndefined(cloudfront.send(new GetDistributionCommand({ Id: id })));
  return response?.Distribution?.Status;
}

async function readEtag(cloudfront: CloudFrontClient, id: string) {
  const response = await cloudfront.send(new GetDistributionCommand({ Id: id }));
  if (!response.ETag) throw new Error(`GetDistribution for ${id} returned no ETag`);
  return { value: response.Distribution, etag: response.ETag };
}

function deleteHint(actual: ActualDistribution): string {
  return (
    `distribution ${actual.id} (${actual.domainName}) is still InProgress being disabled; ` +
    'run destroy again later: it resumes from the recorded phase'
  );
}

async function waitDeployed(ctx: ResourceContext, id: string, what: string, hint: string): Promise<string> {
  const cloudfront = ctx.aws.cloudfront();
  const status = await waitFor<string>({
    what: `${what} (${id})`,
    intervalMs: ctx.config.waits.pollSeconds * 1000,
    timeoutMs: ctx.config.waits.distributionMinutes * 60_000,
    hint,
    onWait: (status, ms) =>
      ctx.waiting(`waiting for ${what}: ${status} (${USUALLY.cloudFrontDeployment})`, ms),
    signal: ctx.signal,
    poll: async () => {
      const status = await readStatus(cloudfront, id);
      if (status === undefined)
        return { done: false, failed: `distribution ${id} no longer exists`, status: 'gone' };
      return { done: status === 'Deployed', status, value: status };
    },
  });
  if (status === undefined) throw new WorkError(`lost track of distribution ${id} while waiting`);
  return status;
}
