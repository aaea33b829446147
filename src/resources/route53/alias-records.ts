import type { ResourceRecordSet, RRType } from '@aws-sdk/client-route-53';
import { isUnknown, knownValue, type ResourceContext, UNKNOWN, type Unknown } from '../../engine/contract.js';
import {
  type AliasTarget,
  changeRecords,
  confirmTakeover,
  deleteRecords,
  deletion,
  describeRecord,
  normalizeName,
  type RecordSpec,
  recordMatches,
  recordsAt,
  toRecordSet,
  upsert,
} from './records.js';

/**
 * Alias records owned by one handler (the origin record, the site aliases). Records carry no tags:
 * a record is ours when it points exactly where tekamolo points it, or where tekamolo pointed it last
 * time (saved in state); anything else at one of our names is foreign and only taken over with
 * confirmation.
 */

export interface AliasSpec {
  name: string;
  type: RRType;
  /** Unknown in `plan` while what the alias points at does not exist yet: shown, never written. */
  alias: AliasTarget | Unknown;
}

/** The spec as Route 53 gets it; a target still unknown here means its dependency was not applied. */
function knownSpec(spec: AliasSpec): RecordSpec & { alias: AliasTarget } {
  return { ...spec, alias: knownValue(spec.alias, `the alias target of ${spec.name}`) };
}

/** The normalised name an alias points at, or UNKNOWN. */
function wantedTarget(spec: AliasSpec): string {
  return isUnknown(spec.alias) ? UNKNOWN : normalizeName(spec.alias.dnsName);
}

export type RecordOwnership = 'missing' | 'ours' | 'stale' | 'foreign';

export interface AliasRecordState {
  name: string;
  type: RRType;
  ownership: RecordOwnership;
  /** What the name holds now, as a short phrase; undefined when missing. */
  holds?: string;
  /** Normalised alias target when the record is an alias. */
  target?: string;
  /** The record set as read: a DELETE repeats it exactly. */
  current?: ResourceRecordSet;
  /** A CNAME at the name blocks A and AAAA records: a takeover deletes it in the same batch. */
  blocking?: ResourceRecordSet;
}

export function aliasTarget(set: ResourceRecordSet | undefined): string | undefined {
  return set?.AliasTarget?.DNSName ? normalizeName(set.AliasTarget.DNSName) : undefined;
}

/** Reads what each of our names holds: one ListResourceRecordSets per name. */
export async function readAliasRecords(
  ctx: ResourceContext,
  zoneId: string,
  specs: AliasSpec[],
  /** Targets tekamolo wrote before (state): a record still pointing there is ours, just stale. */
  previousTargets: string[],
): Promise<AliasRecordState[]> {
  const route53 = ctx.aws.route53();
  const previous = new Set(previousTargets.map(normalizeName));
  const byName = new Map<string, ResourceRecordSet[]>();
  for (const name of new Set(specs.map((s) => normalizeName(s.name)))) {
    byName.set(name, await recordsAt(route53, zoneId, name));
  }
  return specs.map((spec) => {
    const sets = byName.get(normalizeName(spec.name)) ?? [];
    const current = sets.find((s) => s.Type === spec.type && !s.SetIdentifier);
    const routed = sets.find((s) => s.Type === spec.type && s.SetIdentifier);
    const cname = sets.find((s) => s.Type === 'CNAME');
    const state: AliasRecordState = { name: normalizeName(spec.name), type: spec.type, ownership: 'missing' };
    const held = current ?? routed ?? cname;
    if (!held) return state;
    state.holds = describeRecord(held);
    const target = aliasTarget(held);
    if (target) state.target = target;
    const matches =
      current && !isUnknown(spec.alias) && recordMatches(current, { ...spec, alias: spec.alias });
    if (matches) state.ownership = 'ours';
    else if (current && target && previous.has(target)) state.ownership = 'stale';
    else state.ownership = 'foreign';
    if (current) state.current = current;
    if (!current && !routed && cname) state.blocking = cname;
    return state;
  });
}

/** "www.example.com A 192.0.2.1" for each foreign record. */
export function foreignRecords(states: AliasRecordState[]): string[] {
  return states.filter((s) => s.ownership === 'foreign').map((s) => `${s.name} ${s.holds ?? ''}`.trim());
}

/** The `foreign` reason of the handler's actual state, or undefined when everything found is ours. */
export function foreignReason(states: AliasRecordState[]): string | undefined {
  const foreign = foreignRecords(states);
  return foreign.length > 0 ? `points elsewhere: ${foreign.join('; ')}` : undefined;
}

/** UPSERT every spec in one batch, deleting blocking CNAMEs; foreign records need confirmation first. */
export async function writeAliasRecords(
  ctx: ResourceContext,
  zoneId: string,
  specs: AliasSpec[],
  previousTargets: string[],
  comment: string,
): Promise<AliasRecordState[]> {
  const wanted = specs.map(knownSpec);
  const states = await readAliasRecords(ctx, zoneId, wanted, previousTargets);
  await confirmTakeover(ctx, foreignRecords(states));
  const blocking = new Map<string, ResourceRecordSet>();
  for (const s of states) if (s.blocking) blocking.set(s.name, s.blocking);
  await changeRecords(
    ctx.aws.route53(),
    zoneId,
    [...[...blocking.values()].map(deletion), ...wanted.map((spec) => upsert(spec))],
    comment,
  );
  return wanted.map((spec) => ({
    name: normalizeName(spec.name),
    type: spec.type,
    ownership: 'ours',
    holds: `${spec.type} alias ${normalizeName(spec.alias.dnsName)}`,
    target: normalizeName(spec.alias.dnsName),
    current: toRecordSet(spec),
  }));
}

/** Deletes only records that are ours (current or stale); foreign and missing ones are left alone. */
export async function deleteOurAliasRecords(
  ctx: ResourceContext,
  zoneId: string,
  states: AliasRecordState[],
  comment: string,
): Promise<void> {
  const ours = states
    .filter((s) => s.ownership === 'ours' || s.ownership === 'stale')
    .flatMap((s) => (s.current ? [s.current] : []));
  await deleteRecords(ctx.aws.route53(), zoneId, ours, comment);
}

/** Changes for the plan: each of our names whose record is missing or points elsewhere. */
export function aliasChanges(specs: AliasSpec[], states: AliasRecordState[]) {
  return specs.flatMap((spec) => {
    const want = wantedTarget(spec);
    const state = states.find((s) => s.name === normalizeName(spec.name) && s.type === spec.type);
    if (state?.ownership === 'ours' && state.target === want) return [];
    return [
      {
        field: `${normalizeName(spec.name)} ${spec.type}`,
        from: state?.holds ?? 'missing',
        to: `${spec.type} alias ${want}`,
        action: 'update' as const,
      },
    ];
  });
}
