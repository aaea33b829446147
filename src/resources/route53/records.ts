import {
  type Change,
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
  type RRType,
} from '@aws-sdk/client-route-53';
import { hasErrorName } from '../../aws/errors.js';
import type { ResourceContext } from '../../engine/contract.js';
import { UserError } from '../../errors.js';

/**
 * Reading and writing Route 53 records by exact name and type, shared by the handlers that own DNS
 * records. Records carry no tags: a record is ours when it holds exactly the value tekamolo writes.
 */

/** The hosted zone id every alias to a CloudFront distribution uses (commercial partition). */
export const CLOUDFRONT_HOSTED_ZONE_ID = 'Z2FDTNDATAQYW2';

/** One page holds every record type at one name; sets past it are routing-policy variants we do not manage. */
const MAX_SETS_AT_ONE_NAME = 20;

/**
 * Route 53 answers names with a trailing dot, in lower case, and escapes characters outside
 * [a-z0-9-_.] as \ddd octal (a wildcard reads back as \052).
 */
export function normalizeName(name: string): string {
  return name
    .replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)))
    .toLowerCase()
    .replace(/\.$/, '');
}

/** Route 53 hosted zone ids come as /hostedzone/Z123 from some calls and Z123 from others. */
export function bareZoneId(id: string): string {
  return id.replace(/^\/?hostedzone\//, '');
}

/** What a record set we want looks like; the alias form or the plain value form. */
export interface AliasTarget {
  dnsName: string;
  hostedZoneId: string;
  evaluateTargetHealth: boolean;
}

export interface RecordSpec {
  name: string;
  type: RRType;
  alias?: AliasTarget;
  /** Plain records (validation CNAMEs): one value and a TTL. */
  value?: string;
  ttl?: number;
}

/** Every record set at exactly `name` (all types), in Route 53's order (by type). */
export async function recordsAt(
  route53: Route53Client,
  zoneId: string,
  name: string,
): Promise<ResourceRecordSet[]> {
  const wanted = normalizeName(name);
  const response = await route53.send(
    new ListResourceRecordSetsCommand({
      HostedZoneId: bareZoneId(zoneId),
      StartRecordName: wanted,
      MaxItems: MAX_SETS_AT_ONE_NAME,
    }),
  );
  return (response.ResourceRecordSets ?? []).filter((set) => normalizeName(set.Name ?? '') === wanted);
}

/** The most record sets one ListResourceRecordSets page returns. */
const LIST_PAGE_SIZE = 300;
/** A zone with more records than this between the names wanted is read name by name past it. */
const MAX_LIST_PAGES = 3;

/**
 * Route 53 lists records by name with the labels reversed and a trailing dot (com.example.www.),
 * compared as ASCII: the dot decides against characters below it such as '-'.
 */
export function listingOrder(name: string): string {
  return `${normalizeName(name).split('.').reverse().join('.')}.`;
}

function ascii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Every record set at each of `names`, keyed by normalized name: as `recordsAt` for each name, read
 * in one listing from the lowest name up to the highest (paged, bounded) instead of one call per name.
 * A name the listing did not show is absent only when the listing came in the order expected here
 * and reached past it; otherwise (past the page bound, a zone that orders names another way) it is
 * read on its own, so the answer never rests on an order the listing did not show.
 */
export async function recordsNamed(
  route53: Route53Client,
  zoneId: string,
  names: string[],
): Promise<Map<string, ResourceRecordSet[]>> {
  const wanted = [...new Set(names.map(normalizeName))].sort((a, b) =>
    ascii(listingOrder(a), listingOrder(b)),
  );
  const found = new Map<string, ResourceRecordSet[]>(wanted.map((name) => [name, []]));
  const first = wanted[0];
  const last = wanted.at(-1);
  if (first === undefined || last === undefined) return found;
  if (wanted.length === 1) {
    found.set(first, await recordsAt(route53, zoneId, first));
    return found;
  }
  const seen = new Set<string>();
  // Every listed name must sort at or after the one before it, starting at the lowest name asked for.
  let previous = listingOrder(first);
  let inOrder = true;
  /** Names sorting below this were listed; 'all' when the listing reached past every name asked for. */
  let listedBelow: string | 'all' = previous;
  let start: { StartRecordName?: string; StartRecordType?: RRType; StartRecordIdentifier?: string } = {
    StartRecordName: first,
  };
  for (let page = 1; ; page++) {
    const response = await route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: bareZoneId(zoneId),
        ...start,
        MaxItems: LIST_PAGE_SIZE,
      }),
    );
    for (const set of response.ResourceRecordSets ?? []) {
      const key = listingOrder(set.Name ?? '');
      if (ascii(key, previous) < 0) inOrder = false;
      previous = key;
      const name = normalizeName(set.Name ?? '');
      const at = found.get(name);
      if (!at) continue;
      at.push(set);
      seen.add(name);
    }
    const next = response.NextRecordName;
    if (!response.IsTruncated || !next || ascii(previous, listingOrder(last)) > 0) {
      listedBelow = 'all';
      break;
    }
    if (page >= MAX_LIST_PAGES) {
      // The next page may hold more sets at the name this one ended with.
      seen.delete(normalizeName(next));
      listedBelow = listingOrder(next);
      break;
    }
    start = {
      StartRecordName: next,
      StartRecordType: response.NextRecordType,
      StartRecordIdentifier: response.NextRecordIdentifier,
    };
  }
  for (const name of wanted) {
    if (seen.has(name)) continue;
    const listed = inOrder && (listedBelow === 'all' || ascii(listingOrder(name), listedBelow) < 0);
    if (!listed) found.set(name, await recordsAt(route53, zoneId, name));
  }
  return found;
}

/** "A alias d111.cloudfront.net", "A 192.0.2.1", "CNAME other.example.net". */
export function describeRecord(set: ResourceRecordSet): string {
  if (set.AliasTarget?.DNSName) return `${set.Type} alias ${normalizeName(set.AliasTarget.DNSName)}`;
  const values = (set.ResourceRecords ?? []).map((r) => normalizeName(r.Value ?? ''));
  const policy = set.SetIdentifier ? ` (routing policy ${set.SetIdentifier})` : '';
  return `${set.Type} ${values.join(', ') || '(no value)'}${policy}`;
}

/** Whether an existing record set holds exactly what `spec` writes. */
export function recordMatches(set: ResourceRecordSet, spec: RecordSpec): boolean {
  if (set.Type !== spec.type || normalizeName(set.Name ?? '') !== normalizeName(spec.name)) return false;
  if (set.SetIdentifier) return false;
  if (spec.alias) {
    const alias = set.AliasTarget;
    return (
      alias !== undefined &&
      normalizeName(alias.DNSName ?? '') === normalizeName(spec.alias.dnsName) &&
      bareZoneId(alias.HostedZoneId ?? '') === spec.alias.hostedZoneId
    );
  }
  const values = (set.ResourceRecords ?? []).map((r) => normalizeName(r.Value ?? ''));
  return !set.AliasTarget && values.length === 1 && values[0] === normalizeName(spec.value ?? '');
}

export function toRecordSet(spec: RecordSpec): ResourceRecordSet {
  if (spec.alias) {
    return {
      Name: spec.name,
      Type: spec.type,
      AliasTarget: {
        DNSName: spec.alias.dnsName,
        HostedZoneId: spec.alias.hostedZoneId,
        EvaluateTargetHealth: spec.alias.evaluateTargetHealth,
      },
    };
  }
  return { Name: spec.name, Type: spec.type, TTL: spec.ttl ?? 300, ResourceRecords: [{ Value: spec.value }] };
}

export function upsert(spec: RecordSpec): Change {
  return { Action: 'UPSERT', ResourceRecordSet: toRecordSet(spec) };
}

/** DELETE must repeat the record set exactly as it is (TTL, values, alias), so it takes the read one. */
export function deletion(current: ResourceRecordSet): Change {
  return { Action: 'DELETE', ResourceRecordSet: current };
}

async function sendBatch(
  route53: Route53Client,
  zoneId: string,
  changes: Change[],
  comment: string,
): Promise<string | undefined> {
  const response = await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: bareZoneId(zoneId),
      ChangeBatch: { Comment: comment, Changes: changes },
    }),
  );
  return response.ChangeInfo?.Id;
}

/**
 * One atomic batch: Route 53 applies all changes or none. A DELETE of a record set that is gone
 * already counts as done: Route 53 rejects the whole batch with InvalidChangeBatch "…but it was not
 * found" (a batch retried after its answer was lost, or one that raced with another delete), so the
 * deletes are then sent one at a time, skipping those not found, and the rest (UPSERTs, which a
 * retry repeats harmlessly) after them.
 */
export async function changeRecords(
  route53: Route53Client,
  zoneId: string,
  changes: Change[],
  comment: string,
): Promise<string | undefined> {
  if (changes.length === 0) return undefined;
  try {
    return await sendBatch(route53, zoneId, changes, comment);
  } catch (error) {
    if (!isRecordNotFound(error)) throw error;
    const deletes = changes.filter((c) => c.Action === 'DELETE');
    if (deletes.length === 0) throw error;
    for (const change of deletes) {
      try {
        await sendBatch(route53, zoneId, [change], comment);
      } catch (single) {
        if (!isRecordNotFound(single)) throw single;
      }
    }
    const rest = changes.filter((c) => c.Action !== 'DELETE');
    return rest.length > 0 ? sendBatch(route53, zoneId, rest, comment) : undefined;
  }
}

/** Delete record sets; those gone already count as deleted. */
export async function deleteRecords(
  route53: Route53Client,
  zoneId: string,
  sets: ResourceRecordSet[],
  comment: string,
): Promise<void> {
  await changeRecords(route53, zoneId, sets.map(deletion), comment);
}

function isRecordNotFound(error: unknown): boolean {
  return hasErrorName(error, 'InvalidChangeBatch') && /not found/i.test((error as Error).message ?? '');
}

/**
 * Defence in depth behind the engine's own confirmation: a record that points elsewhere is only
 * overwritten with --yes or an explicit yes.
 */
export async function confirmTakeover(ctx: ResourceContext, what: string[]): Promise<void> {
  if (what.length === 0 || ctx.options.yes) return;
  const question = `Overwrite DNS records that point elsewhere? ${what.join('; ')}`;
  if (await ctx.confirm(question)) return;
  throw new UserError(
    `refusing to take over DNS records that point elsewhere: ${what.join('; ')}`,
    'check that these names may serve this stack, then run again with --yes to take them over',
  );
}
