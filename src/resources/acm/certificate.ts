import { randomUUID } from 'node:crypto';
import {
  AddTagsToCertificateCommand,
  type CertificateStatus,
  type CertificateSummary,
  DeleteCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
  RequestCertificateCommand,
} from '@aws-sdk/client-acm';
import * as z from 'zod/mini';
import { GLOBAL_REGION } from '../../aws/clients.js';
import { errorName, isNotFound, orUndefined } from '../../aws/errors.js';
import { waitFor } from '../../aws/waiter.js';
import { shortHash } from '../../config/names.js';
import type { Config } from '../../config/schema.js';
import {
  type Actual,
  type Change,
  fieldChange,
  type Health,
  RESOURCE_TAG,
  type Resource,
  type ResourceContext,
  STACK_TAG,
  taggedOwnership,
  tagList,
  tagMap,
} from '../../engine/contract.js';
import { UserError } from '../../errors.js';
import type { CertificateOutputs } from '../outputs.js';
import { savedState } from '../shared/saved-state.js';
import {
  type CertificateInfo,
  formatRecord,
  originCertificateEnabled,
  readCertificate,
  sortedNames,
} from './certificates.js';

interface DesiredCertificate {
  region: string;
  /** Sorted; the first name requested is the domain, see `requestedNames`. */
  domainNames: string[];
  tags: Record<string, string>;
}

interface ActualCertificate extends Actual, CertificateInfo {
  /** Our tags as read (only the keys we set); undefined when not read. */
  tags?: Record<string, string>;
}

/** Statuses worth adopting after a lost state file; FAILED, EXPIRED, REVOKED certificates are useless. */
const ADOPTABLE: CertificateStatus[] = ['PENDING_VALIDATION', 'ISSUED', 'INACTIVE'];
const MAX_LIST_PAGES = 20;

interface CertificateKind {
  key: string;
  title: string;
  region(config: Config): string;
  /** Names in request order: the first becomes the certificate's DomainName. */
  requestedNames(ctx: ResourceContext): string[];
  enabled?(config: Config): boolean;
}

/** ACM idempotency tokens allow 32 word characters: stack, key, names and a nonce, hashed. */
export function idempotencyToken(stack: string, key: string, names: string[]): string {
  return shortHash(`${stack}|${key}|${sortedNames(names).join(',')}`, 32);
}

/**
 * What a certificate's state entry records: the request's idempotency token (saved before the call)
 * and, once ACM answered, the ARN.
 */
const savedShape = z.object({
  request: z.optional(z.object({ token: z.string(), names: z.array(z.string()) })),
  arn: z.optional(z.string()),
  region: z.optional(z.string()),
});

type SavedRequest = NonNullable<z.output<typeof savedShape>['request']>;

/**
 * The token of this create, saved in state before the request. ACM answers a token with the same
 * certificate for an hour, even one deleted since (a destroy then an up), so a token that stays the
 * same across stacks' lifetimes is wrong; a nonce saved first keeps a create retried after a crash
 * idempotent, and a lost state file is covered by the tags RequestCertificate applies atomically.
 */
async function requestToken(ctx: ResourceContext, key: string, names: string[]): Promise<string> {
  const saved = savedState(ctx, savedShape).request;
  if (saved && sortedNames(saved.names).join(',') === sortedNames(names).join(',')) return saved.token;
  const token = idempotencyToken(ctx.config.stack, key, [...names, randomUUID()]);
  await ctx.record({ request: { token, names } satisfies SavedRequest });
  return token;
}

function ours(tags: Record<string, string>, wanted: Record<string, string>): boolean {
  return tags[STACK_TAG] === wanted[STACK_TAG] && tags[RESOURCE_TAG] === wanted[RESOURCE_TAG];
}

async function readTags(ctx: ResourceContext, arn: string, region: string) {
  const response = await orUndefined(
    ctx.aws.acm(region).send(new ListTagsForCertificateCommand({ CertificateArn: arn })),
  );
  return response ? tagMap(response.Tags) : undefined;
}

function onlyKeys(tags: Record<string, string>, keys: string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const key of keys) if (key in tags) picked[key] = tags[key] ?? '';
  return picked;
}

async function withTags(ctx: ResourceContext, info: CertificateInfo): Promise<ActualCertificate> {
  const tags = await readTags(ctx, info.arn, info.region);
  const actual: ActualCertificate = { ...info, id: info.arn };
  if (tags) actual.tags = onlyKeys(tags, Object.keys(ctx.tags));
  return actual;
}

/** Candidates from the listing: certificates sharing a name with what we want. */
async function listCandidates(ctx: ResourceContext, region: string, names: string[]) {
  const wanted = new Set(names);
  const candidates: CertificateSummary[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const response = await ctx.aws
      .acm(region)
      .send(new ListCertificatesCommand({ CertificateStatuses: ADOPTABLE, NextToken: nextToken }));
    for (const summary of response.CertificateSummaryList ?? []) {
      const listed = sortedNames([
        ...(summary.DomainName ? [summary.DomainName] : []),
        ...(summary.SubjectAlternativeNameSummaries ?? []),
      ]);
      if (listed.some((n) => wanted.has(n))) candidates.push(summary);
    }
    nextToken = response.NextToken;
    if (!nextToken) break;
  }
  return candidates;
}

/** Without state: a certificate tagged with this stack and key, preferring one with exactly our names. */
async function findByTags(ctx: ResourceContext, desired: DesiredCertificate) {
  let fallback: ActualCertificate | undefined;
  for (const summary of await listCandidates(ctx, desired.region, desired.domainNames)) {
    if (!summary.CertificateArn) continue;
    const tags = await readTags(ctx, summary.CertificateArn, desired.region);
    if (!tags || !ours(tags, ctx.tags)) continue;
    const info = await readCertificate(ctx, summary.CertificateArn, desired.region);
    if (!info) continue;
    const actual: ActualCertificate = { ...info, id: info.arn, tags: onlyKeys(tags, Object.keys(ctx.tags)) };
    if (JSON.stringify(info.domainNames) === JSON.stringify(desired.domainNames)) return actual;
    // Ours with other names (the config changed while the state was lost): diff replaces it.
    fallback ??= actual;
  }
  return fallback;
}

/**
 * A certificate ACM will never issue or serve again (validation timed out after 72 hours, CAA refused,
 * expired, revoked) is replaced: a new request with a fresh token once the old token has lapsed.
 */
const UNUSABLE = new Set(['FAILED', 'VALIDATION_TIMED_OUT', 'EXPIRED', 'REVOKED']);

function unusable(actual: CertificateInfo): Change[] {
  if (!UNUSABLE.has(actual.status)) return [];
  const reason = `ACM will not issue or serve a ${actual.status} certificate${actual.failureReason ? ` (${actual.failureReason})` : ''}: a new one is requested`;
  return [{ field: 'status', from: actual.status, to: 'ISSUED', action: 'replace', reason }];
}

/** ACM quotas (names per certificate, certificates per year) are the user's to raise or work around. */
function quotaError(error: unknown, region: string, names: number): unknown {
  if (errorName(error) !== 'LimitExceededException') return error;
  return new UserError(
    `ACM quota reached in ${region} requesting a certificate for ${names} name(s): ${(error as Error).message}`,
    'use fewer aliases (10 names per certificate by default), or request a quota increase for AWS Certificate Manager in Service Quotas',
  );
}

function expiry(actual: CertificateInfo): string {
  return actual.notAfter ? `, expires ${actual.notAfter.slice(0, 10)}` : '';
}

function certificateHandler(
  kind: CertificateKind,
): Resource<DesiredCertificate, ActualCertificate, CertificateOutputs> {
  return {
    key: kind.key,
    title: kind.title,
    dependsOn: ['zone'],
    ...(kind.enabled ? { enabled: kind.enabled } : {}),

    desired(ctx) {
      return {
        region: kind.region(ctx.config),
        domainNames: sortedNames(kind.requestedNames(ctx)),
        tags: ctx.tags,
      };
    },

    async find(ctx) {
      const region = kind.region(ctx.config);
      const { arn: savedArn, region: savedRegion } = savedState(ctx, savedShape);
      if (savedArn) {
        const info = await readCertificate(ctx, savedArn, savedRegion);
        if (info) return withTags(ctx, info);
      }
      const desired = { region, domainNames: sortedNames(kind.requestedNames(ctx)), tags: ctx.tags };
      return findByTags(ctx, desired);
    },

    ownership(ctx, actual) {
      return taggedOwnership(ctx.config, actual.tags, `certificate ${actual.arn}`);
    },

    diff(desired, actual): Change[] {
      return [
        ...fieldChange(
          'region',
          desired.region,
          actual.region,
          'replace',
          'a certificate lives in one region: a new one is requested there',
        ),
        ...fieldChange(
          'domainNames',
          desired.domainNames,
          actual.domainNames,
          'replace',
          'the names of a certificate cannot change: a new one is requested, the old one is deleted once the listener and distribution use the new one',
        ),
        ...fieldChange('tags', desired.tags, actual.tags),
        ...unusable(actual),
      ];
    },

    async create(ctx, desired) {
      const requested = kind.requestedNames(ctx);
      const [domainName] = requested;
      if (!domainName) throw new Error(`${kind.key}: no names to request a certificate for`);
      ctx.progress(`requesting a certificate for ${requested.join(', ')} in ${desired.region}`);
      const request = async (token: string) => {
        const response = await ctx.aws
          .acm(desired.region)
          .send(
            new RequestCertificateCommand({
              DomainName: domainName,
              SubjectAlternativeNames: requested,
              ValidationMethod: 'DNS',
              IdempotencyToken: token,
              Tags: tagList(desired.tags),
            }),
          )
          .catch((error: unknown) => {
            throw quotaError(error, desired.region, requested.length);
          });
        const arn = response.CertificateArn;
        if (!arn) throw new Error('ACM RequestCertificate returned no certificate ARN');
        await ctx.record({ arn, region: desired.region });
        return arn;
      };
      let arn = await request(await requestToken(ctx, kind.key, requested));
      let info = await readCertificate(ctx, arn, desired.region);
      if (info && UNUSABLE.has(info.status)) {
        // ACM answers a token with the same certificate for an hour, even a FAILED one being replaced;
        // a token derived from the dead certificate asks for a fresh one (and stays idempotent).
        arn = await request(idempotencyToken(ctx.config.stack, kind.key, [...requested, arn]));
        info = await readCertificate(ctx, arn, desired.region);
      }
      if (info) return { ...info, id: arn, tags: desired.tags };
      // Just requested: a describe that does not see it yet is eventual consistency, not a failure.
      return {
        id: arn,
        arn,
        region: desired.region,
        domainNames: desired.domainNames,
        status: 'PENDING_VALIDATION',
        inUseBy: [],
        validationRecords: [],
        recordsMissingFor: desired.domainNames,
        tags: desired.tags,
      };
    },

    async update(ctx, desired, actual, changes) {
      if (changes.some((c) => c.field === 'tags')) {
        await ctx.aws
          .acm(actual.region)
          .send(new AddTagsToCertificateCommand({ CertificateArn: actual.arn, Tags: tagList(desired.tags) }));
      }
      return { ...actual, tags: desired.tags };
    },

    async delete(ctx, actual) {
      const acm = ctx.aws.acm(actual.region);
      let inUseBy = actual.inUseBy;
      // ACM keeps a certificate "in use" for a while after the listener or distribution let go of
      // it (CloudFront takes minutes to release it): ResourceInUseException until then.
      await waitFor({
        what: `deletion of certificate ${actual.arn}`,
        intervalMs: ctx.config.waits.pollSeconds * 1000,
        timeoutMs: ctx.config.waits.certificateMinutes * 60_000,
        hint: `the certificate is still in use by ${inUseBy.join(', ') || 'another resource'}: delete or move those first`,
        onWait: (status, ms) => ctx.waiting(`waiting for ACM to release the certificate: ${status}`, ms),
        signal: ctx.signal,
        poll: async () => {
          try {
            await acm.send(new DeleteCertificateCommand({ CertificateArn: actual.arn }));
            return { done: true, status: 'deleted' };
          } catch (error) {
            if (isNotFound(error)) return { done: true, status: 'already gone' };
            if (errorName(error) !== 'ResourceInUseException') throw error;
            inUseBy = (await readCertificate(ctx, actual.arn, actual.region))?.inUseBy ?? inUseBy;
            return {
              done: false,
              status: `in use by ${inUseBy.join(', ') || 'a resource ACM does not name'}`,
            };
          }
        },
      });
    },

    outputs(actual) {
      return { arn: actual.arn, domainNames: actual.domainNames, status: actual.status };
    },

    describe(_ctx, actual) {
      if (actual.status === 'PENDING_VALIDATION') {
        return `PENDING_VALIDATION, ${actual.validationRecords.length} validation record(s)`;
      }
      return `${actual.status}${expiry(actual)}${actual.inUseBy.length ? `, used by ${actual.inUseBy.length}` : ''}`;
    },

    async health(_ctx, actual): Promise<Health> {
      switch (actual.status) {
        case 'ISSUED':
          return { state: 'ok', detail: `ISSUED${expiry(actual)}` };
        case 'PENDING_VALIDATION': {
          const records = actual.validationRecords.map(formatRecord).join('; ');
          return {
            state: 'pending',
            detail: `waiting for DNS validation: ${records || 'ACM has not published the validation records yet'}`,
          };
        }
        default:
          return {
            state: 'unhealthy',
            detail: `${actual.status}${actual.failureReason ? ` (${actual.failureReason})` : ''}${expiry(actual)}`,
          };
      }
    },
  };
}

/** CloudFront's certificate: always us-east-1; also covers the origin name when the stack is there. */
export const cdnCertificate = certificateHandler({
  key: 'certificate.cdn',
  title: 'ACM certificate for CloudFront',
  region: () => GLOBAL_REGION,
  requestedNames: (ctx) =>
    originCertificateEnabled(ctx.config)
      ? ctx.names.siteNames
      : [...ctx.names.siteNames, ctx.names.originName],
});

/** The load balancer's certificate in the stack's region, for the origin name CloudFront connects to. */
export const originCertificate = certificateHandler({
  key: 'certificate.origin',
  title: 'ACM certificate for the load balancer',
  region: (config) => config.region,
  requestedNames: (ctx) => [ctx.names.originName],
  enabled: originCertificateEnabled,
});
