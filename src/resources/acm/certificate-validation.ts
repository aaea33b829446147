import { GetHostedZoneCommand, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import * as z from 'zod/mini';
import { isThrottling } from '../../aws/errors.js';
import { USUALLY } from '../../aws/usual-durations.js';
import { waitFor } from '../../aws/waiter.js';
import {
  type Actual,
  type Change,
  type Health,
  known,
  knownValue,
  outputField,
  type Resource,
  type ResourceContext,
  type Unknown,
} from '../../engine/contract.js';
import { WorkError } from '../../errors.js';
import type { ValidationOutputs, ValidationRecord } from '../outputs.js';
import { compareDelegation, publicDelegation } from '../route53/delegation.js';
import {
  bareZoneId,
  changeRecords,
  deleteRecords,
  deletion,
  normalizeName,
  type RecordSpec,
  recordMatches,
  recordsNamed,
  toRecordSet,
  upsert,
} from '../route53/records.js';
import { savedState } from '../shared/saved-state.js';
import {
  type CertificateInfo,
  dedupeRecords,
  formatRecord,
  originCertificateEnabled,
  readCertificate,
  regionOfArn,
} from './certificates.js';

interface CertificateRef {
  key: string;
  arn: string;
  region: string;
}

interface DesiredValidation {
  zoneId: string | Unknown;
  certificates: CertificateRef[];
  /** De-duplicated across both certificates. */
  records: ValidationRecord[];
  /** Names ACM has not published a validation record for yet (only in plan: up waits for them). */
  unpublishedFor: string[];
}

interface CertificateStatus extends CertificateRef {
  status: string;
  failureReason?: string;
}

interface ActualValidation extends Actual {
  zoneId: string;
  /** Validation records present in the zone with exactly the value ACM asks for. */
  records: ValidationRecord[];
  /** Those records as Route 53 holds them: a DELETE must repeat them exactly. */
  present: ResourceRecordSet[];
  /** Records the certificates ask for that the zone does not hold. */
  missing: ValidationRecord[];
  certificates: CertificateStatus[];
}

const CERTIFICATE_KEYS = ['certificate.cdn', 'certificate.origin'] as const;
/** ACM publishes the validation CNAMEs a few seconds after RequestCertificate. */
const RECORDS_APPEAR_MS = 2 * 60_000;
/** A short TTL, so that a corrected record reaches ACM's resolvers quickly. */
const RECORD_TTL = 300;
const FINAL_FAILURES = new Set(['FAILED', 'VALIDATION_TIMED_OUT', 'REVOKED', 'EXPIRED', 'INACTIVE']);

function certificateRefs(ctx: ResourceContext): CertificateRef[] {
  const keys = CERTIFICATE_KEYS.filter(
    (k) => k === 'certificate.cdn' || originCertificateEnabled(ctx.config),
  );
  const refs: CertificateRef[] = [];
  for (const key of keys) {
    // In plan, a certificate that does not exist yet has no ARN: its records are not known.
    const arn = known(ctx.output(key))?.arn;
    if (!arn) continue;
    refs.push({ key, arn, region: regionOfArn(arn) ?? ctx.config.region });
  }
  return refs;
}

interface Read {
  ref: CertificateRef;
  info: CertificateInfo;
}

/** Describes each certificate; a missing one is an error unless `skipMissing` (status of a broken stack). */
async function readAll(ctx: ResourceContext, refs: CertificateRef[], skipMissing = false): Promise<Read[]> {
  const reads: Read[] = [];
  for (const ref of refs) {
    const info = await readCertificate(ctx, ref.arn, ref.region);
    if (info) reads.push({ ref, info });
    else if (!skipMissing) {
      throw new WorkError(`${ref.key} ${ref.arn} does not exist`, 'run up again to request it');
    }
  }
  return reads;
}

/** Reads the certificates until ACM has published every validation record (bounded). */
async function readPublished(ctx: ResourceContext, refs: CertificateRef[]): Promise<Read[]> {
  const result = await waitFor({
    what: "publication of ACM's DNS validation records",
    intervalMs: Math.min(ctx.config.waits.pollSeconds, 2) * 1000,
    timeoutMs: RECORDS_APPEAR_MS,
    hint: 'describe the certificates (aws acm describe-certificate) and check their DomainValidationOptions',
    onWait: (status, ms) => ctx.waiting(`waiting for ACM's validation records: ${status}`, ms),
    signal: ctx.signal,
    poll: async () => {
      const reads = await readAll(ctx, refs);
      const dead = reads.filter((r) => FINAL_FAILURES.has(r.info.status));
      if (dead.length > 0) {
        const failed = dead.map((r) => `${r.ref.key} ${r.info.status}`).join(', ');
        return { done: false, failed, status: failed };
      }
      const missing = reads.flatMap((r) => r.info.recordsMissingFor);
      return missing.length === 0
        ? { done: true, status: 'published', value: reads }
        : { done: false, status: `not yet for ${missing.join(', ')}` };
    },
  });
  return result ?? [];
}

function spec(record: ValidationRecord): RecordSpec {
  return { name: record.name, type: 'CNAME', value: record.value, ttl: RECORD_TTL };
}

function sameRecord(a: ValidationRecord, b: ValidationRecord): boolean {
  return a.name === b.name && a.type === b.type && a.value === b.value;
}

/**
 * What the validation's state entry records: the zone and records written, the names whose records
 * were there before tekamolo wrote them, and the names being written (said before the write).
 */
const savedShape = z.object({
  zoneId: z.optional(z.string()),
  records: z.optional(z.array(z.object({ name: z.string(), type: z.string(), value: z.string() }))),
  foundBeforeUs: z.optional(z.array(z.string())),
  writing: z.optional(z.array(z.string())),
});

function savedRecords(ctx: ResourceContext): ValidationRecord[] {
  return savedState(ctx, savedShape).records ?? [];
}

function statusOf({ ref, info }: Read): CertificateStatus {
  const status: CertificateStatus = { ...ref, status: info.status };
  if (info.failureReason) status.failureReason = info.failureReason;
  return status;
}

function refOf(status: CertificateStatus): CertificateRef {
  return { key: status.key, arn: status.arn, region: status.region };
}

function statusLine(certificates: CertificateStatus[]): string {
  return certificates.map((c) => `${c.key} ${c.status}`).join(', ');
}

/**
 * Records tekamolo wrote earlier for names no certificate has any more (a replaced certificate),
 * still holding exactly what was written: removed in the same batch as the new ones are written.
 */
async function retiredRecords(
  ctx: ResourceContext,
  zoneId: string,
  records: ValidationRecord[],
): Promise<ResourceRecordSet[]> {
  const savedZoneId = savedState(ctx, savedShape).zoneId;
  if (savedZoneId !== undefined && savedZoneId !== zoneId) return [];
  const gone = savedRecords(ctx).filter(
    (old) => !records.some((r) => r.name === old.name && r.type === old.type),
  );
  const byName = await recordsNamed(
    ctx.aws.route53(),
    zoneId,
    gone.map((r) => r.name),
  );
  const sets: ResourceRecordSet[] = [];
  for (const old of gone) {
    const set = byName.get(normalizeName(old.name))?.find((s) => recordMatches(s, spec(old)));
    if (set) sets.push(set);
  }
  return sets;
}

/** Names of validation records that were in the zone before tekamolo wrote them (saved in state). */
function foundBeforeUs(ctx: ResourceContext): string[] {
  return savedState(ctx, savedShape).foundBeforeUs ?? [];
}

/**
 * ACM asks every certificate of the account for the same name (and for `*.name`) to publish the same
 * CNAME: one that is already in the zone, exactly, before tekamolo first writes it belongs to another
 * certificate too, whose renewals need it after this stack is gone. Those names are kept in state, and
 * destroy leaves their records alone.
 */
async function alreadyThere(
  ctx: ResourceContext,
  zoneId: string,
  records: ValidationRecord[],
): Promise<string[]> {
  const ours = savedRecords(ctx);
  const writing = savedState(ctx, savedShape).writing ?? [];
  const names = new Set(foundBeforeUs(ctx).filter((name) => records.some((r) => r.name === name)));
  const unknown = records.filter(
    (record) =>
      !names.has(record.name) && !writing.includes(record.name) && !ours.some((r) => sameRecord(r, record)),
  );
  const byName = await recordsNamed(
    ctx.aws.route53(),
    zoneId,
    unknown.map((r) => r.name),
  );
  for (const record of unknown) {
    const sets = byName.get(normalizeName(record.name)) ?? [];
    if (sets.some((s) => recordMatches(s, spec(record)))) names.add(record.name);
  }
  return [...names];
}

async function writeRecords(ctx: ResourceContext, desired: DesiredValidation): Promise<ActualValidation> {
  let records = desired.records;
  if (desired.unpublishedFor.length > 0) {
    const reads = await readPublished(ctx, desired.certificates);
    records = dedupeRecords(reads.flatMap((r) => r.info.validationRecords));
  }
  const zoneId = knownValue(desired.zoneId, 'the hosted zone');
  const shared = await alreadyThere(ctx, zoneId, records);
  const retired = await retiredRecords(ctx, zoneId, records);
  // Said before the write: after a crash right behind it, our own records must not pass for another
  // certificate's.
  await ctx.record({ foundBeforeUs: shared, writing: records.map((r) => r.name) });
  ctx.progress(`writing ${records.length} validation record(s) to Route 53`);
  await changeRecords(
    ctx.aws.route53(),
    zoneId,
    [...retired.map(deletion), ...records.map((r) => upsert(spec(r)))],
    `tekamolo ${ctx.config.stack}: ACM DNS validation`,
  );
  await ctx.record({ zoneId, records, foundBeforeUs: shared, writing: [] });
  return {
    id: zoneId,
    zoneId,
    records,
    present: records.map((r) => toRecordSet(spec(r))),
    missing: [],
    certificates: desired.certificates.map((c) => ({ ...c, status: 'PENDING_VALIDATION' })),
  };
}

async function timeoutHint(ctx: ResourceContext, actual: ActualValidation): Promise<string> {
  let nameServers = known(outputField(ctx.output('zone'), 'nameServers')) ?? [];
  try {
    const zone = await ctx.aws.route53().send(new GetHostedZoneCommand({ Id: bareZoneId(actual.zoneId) }));
    nameServers = zone.DelegationSet?.NameServers ?? nameServers;
  } catch {
    // The zone's outputs hold the name servers too; the hint must not fail on a second error.
  }
  const delegation = await publicDelegation(ctx.config.domain);
  return [
    `ACM validates once public DNS answers these CNAMEs: ${actual.records.map(formatRecord).join('; ') || '(none written)'}.`,
    compareDelegation(ctx.config.domain, nameServers, delegation),
    'Run up again to keep waiting (waits.certificateMinutes sets how long).',
  ].join(' ');
}

/**
 * The certificates as `desired` read them, taken by the `find` that follows with the same context a
 * moment later: describing both certificates twice per run would only repeat the answer.
 */
const readsForFind = new WeakMap<ResourceContext, Read[]>();

function takeReads(ctx: ResourceContext): Read[] | undefined {
  const reads = readsForFind.get(ctx);
  readsForFind.delete(ctx);
  return reads;
}

export const certificateValidation: Resource<DesiredValidation, ActualValidation, ValidationOutputs> = {
  key: 'validation',
  title: 'certificate DNS validation',
  dependsOn: ['zone', 'certificate.cdn', 'certificate.origin'],
  readyBeforeDependents: true,

  async desired(ctx) {
    const zoneId = outputField(ctx.output('zone'), 'zoneId');
    const certificates = certificateRefs(ctx);
    const reads = ctx.options.readOnly
      ? await readAll(ctx, certificates)
      : await readPublished(ctx, certificates);
    readsForFind.set(ctx, reads);
    return {
      zoneId,
      certificates,
      records: dedupeRecords(reads.flatMap((r) => r.info.validationRecords)),
      unpublishedFor: reads.flatMap((r) => r.info.recordsMissingFor),
    };
  },

  async find(ctx) {
    const zoneId = known(outputField(ctx.output('zone'), 'zoneId'));
    const reads = takeReads(ctx) ?? (await readAll(ctx, certificateRefs(ctx), true));
    const asked = dedupeRecords(reads.flatMap((r) => r.info.validationRecords));
    const wanted = dedupeRecords([...asked, ...savedRecords(ctx)]);
    if (wanted.length === 0 || !zoneId) return undefined;
    const route53 = ctx.aws.route53();
    const records: ValidationRecord[] = [];
    const present: ResourceRecordSet[] = [];
    // One listing for all names: a converged stack reads its validation records in one call.
    const byName = await recordsNamed(
      route53,
      zoneId,
      wanted.map((r) => r.name),
    );
    for (const record of wanted) {
      const set = byName.get(normalizeName(record.name))?.find((s) => recordMatches(s, spec(record)));
      if (set) {
        records.push(record);
        present.push(set);
      }
    }
    if (records.length === 0 && savedRecords(ctx).length === 0) return undefined;
    return {
      id: zoneId,
      zoneId,
      records,
      present,
      missing: asked.filter((r) => !records.some((p) => sameRecord(p, r))),
      certificates: reads.map(statusOf),
    };
  },

  // Validation records carry no tags: they are the exact values ACM asks for the certificates, which
  // must be ours.
  ownership() {
    return { through: ['certificate.cdn', 'certificate.origin'] };
  },

  diff(desired, actual): Change[] {
    const changes: Change[] = [];
    for (const record of desired.records) {
      if (actual.records.some((r) => sameRecord(r, record))) continue;
      changes.push({ field: `record ${record.name}`, from: 'missing', to: record.value, action: 'update' });
    }
    return changes;
  },

  create(ctx, desired) {
    return writeRecords(ctx, desired);
  },

  update(ctx, desired) {
    // UPSERT is idempotent: writing every record again costs one call and repairs any that drifted.
    return writeRecords(ctx, desired);
  },

  async delete(ctx, actual) {
    // `present` holds only records with exactly the value ACM asked for: nothing else is touched, and
    // of those not the ones another certificate published before tekamolo did.
    const shared = new Set(foundBeforeUs(ctx).map(normalizeName));
    await deleteRecords(
      ctx.aws.route53(),
      actual.zoneId,
      actual.present.filter((set) => !shared.has(normalizeName(set.Name ?? ''))),
      `tekamolo ${ctx.config.stack}: ACM DNS validation removed`,
    );
    await ctx.record({ records: [] });
  },

  async wait(ctx, actual) {
    // find read them all ISSUED (a converged stack): describing them again changes nothing.
    if (actual.certificates.length > 0 && actual.certificates.every((c) => c.status === 'ISSUED')) {
      return actual;
    }
    let certificates = actual.certificates;
    try {
      await waitFor({
        what: 'certificate validation',
        intervalMs: ctx.config.waits.pollSeconds * 1000,
        timeoutMs: ctx.config.waits.certificateMinutes * 60_000,
        hint: 'check the validation records in the hosted zone and the NS delegation of the domain',
        onWait: (status, ms) =>
          ctx.waiting(`waiting for ACM to issue: ${status} (${USUALLY.certificateValidation})`, ms),
        signal: ctx.signal,
        poll: async () => {
          try {
            certificates = (await readAll(ctx, certificates.map(refOf))).map(statusOf);
          } catch (error) {
            // A 45-minute wait should not end on one throttled poll (the SDK has retried already).
            if (isThrottling(error)) return { done: false, status: 'throttled by ACM, polling again' };
            throw error;
          }
          const failed = certificates.filter((c) => FINAL_FAILURES.has(c.status));
          if (failed.length > 0) {
            const why = failed.map(
              (c) => `${c.key} ${c.status}${c.failureReason ? ` (${c.failureReason})` : ''}`,
            );
            return { done: false, failed: why.join(', '), status: statusLine(certificates) };
          }
          return { done: certificates.every((c) => c.status === 'ISSUED'), status: statusLine(certificates) };
        },
      });
    } catch (error) {
      if (!(error instanceof WorkError) || ctx.signal.aborted) throw error;
      throw new WorkError(error.message, await timeoutHint(ctx, actual), { cause: error });
    }
    return { ...actual, certificates };
  },

  outputs(actual) {
    const arnOf = (key: string) => actual.certificates.find((c) => c.key === key)?.arn;
    const cdn = arnOf('certificate.cdn') ?? '';
    return {
      records: actual.records,
      cdnCertificateArn: cdn,
      originCertificateArn: arnOf('certificate.origin') ?? cdn,
    };
  },

  describe(_ctx, actual) {
    return `${actual.records.length} record(s) in ${actual.zoneId}; ${statusLine(actual.certificates)}`;
  },

  async health(_ctx, actual): Promise<Health> {
    const failed = actual.certificates.filter((c) => FINAL_FAILURES.has(c.status));
    if (failed.length > 0) return { state: 'unhealthy', detail: statusLine(failed) };
    const pending = actual.certificates.filter((c) => c.status !== 'ISSUED');
    if (actual.missing.length > 0) {
      const detail = `validation record(s) missing from the zone: ${actual.missing.map(formatRecord).join('; ')}`;
      // An issued certificate still needs its record: ACM renews by the same CNAME.
      return { state: 'unhealthy', detail: pending.length > 0 ? detail : `${detail} (renewal will fail)` };
    }
    if (pending.length > 0) {
      return {
        state: 'pending',
        detail: `${statusLine(pending)}; records: ${actual.records.map(formatRecord).join('; ')}`,
      };
    }
    return { state: 'ok', detail: statusLine(actual.certificates) };
  },
};
