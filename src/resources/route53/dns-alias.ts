import * as z from 'zod/mini';
import {
  type Actual,
  type Change,
  type Health,
  isUnknown,
  known,
  knownValue,
  outputField,
  type Resource,
  type ResourceContext,
  type Unknown,
  unknown,
} from '../../engine/contract.js';
import type { DnsAliasOutputs } from '../outputs.js';
import { savedState } from '../shared/saved-state.js';
import {
  type AliasRecordState,
  type AliasSpec,
  aliasChanges,
  deleteOurAliasRecords,
  foreignReason,
  readAliasRecords,
  writeAliasRecords,
} from './alias-records.js';
import { CLOUDFRONT_HOSTED_ZONE_ID, normalizeName } from './records.js';

interface DesiredDnsAlias {
  zoneId: string | Unknown;
  names: string[];
  specs: AliasSpec[];
}

interface ActualDnsAlias extends Actual {
  zoneId: string;
  names: string[];
  records: AliasRecordState[];
}

/** A for IPv4 viewers, AAAA because the distribution has IPv6 enabled. */
const TYPES = ['A', 'AAAA'] as const;

/** What the aliases' state entry records. */
const savedShape = z.object({
  zoneId: z.optional(z.string()),
  names: z.optional(z.array(z.string())),
  target: z.optional(z.string()),
});

function savedTargets(ctx: ResourceContext): string[] {
  const { target } = savedState(ctx, savedShape);
  return target ? [target] : [];
}

export const dnsAlias: Resource<DesiredDnsAlias, ActualDnsAlias, DnsAliasOutputs> = {
  key: 'dnsAlias',
  title: 'Route 53 site aliases',
  dependsOn: ['distribution', 'zone'],

  desired(ctx) {
    const domainName = outputField(ctx.output('distribution'), 'domainName');
    const names = ctx.names.siteNames.map(normalizeName);
    return {
      zoneId: outputField(ctx.output('zone'), 'zoneId'),
      names,
      specs: names.flatMap((name) =>
        TYPES.map((type) => ({
          name,
          type,
          // CloudFront alias targets do not support EvaluateTargetHealth.
          alias: isUnknown(domainName)
            ? unknown
            : {
                dnsName: normalizeName(domainName),
                hostedZoneId: CLOUDFRONT_HOSTED_ZONE_ID,
                evaluateTargetHealth: false,
              },
        })),
      ),
    };
  },

  async find(ctx) {
    const desired = await dnsAlias.desired(ctx);
    const zoneId = known(desired.zoneId);
    if (!zoneId) return undefined;
    const records = await readAliasRecords(ctx, zoneId, desired.specs, savedTargets(ctx));
    if (records.every((r) => r.ownership === 'missing')) return undefined;
    const actual: ActualDnsAlias = {
      id: desired.names.join(', '),
      zoneId,
      names: desired.names,
      records,
    };
    // The names are foreign only when none of them holds what tekamolo wrote: otherwise the records that
    // are ours still have to follow the distribution and go with it on destroy (a write asks before it
    // takes over the others, and a delete leaves them alone).
    const foreign = records.some((r) => r.ownership === 'ours' || r.ownership === 'stale')
      ? undefined
      : foreignReason(records);
    if (foreign) actual.foreign = foreign;
    return actual;
  },

  // Records carry no tags: `find` compares them with what tekamolo wrote (a record that points elsewhere
  // is `foreign` and needs a confirmation); the distribution they point at must be ours.
  ownership() {
    return { through: ['distribution'] };
  },

  diff(desired, actual): Change[] {
    return aliasChanges(desired.specs, actual.records);
  },

  async create(ctx, desired) {
    const zoneId = knownValue(desired.zoneId, 'the hosted zone');
    ctx.progress(`pointing ${desired.names.join(', ')} at the distribution`);
    const records = await writeAliasRecords(
      ctx,
      zoneId,
      desired.specs,
      savedTargets(ctx),
      `tekamolo ${ctx.config.stack}: site names to CloudFront`,
    );
    await ctx.record({
      zoneId,
      names: desired.names,
      target: records[0]?.target,
    });
    return { id: desired.names.join(', '), zoneId, names: desired.names, records };
  },

  update(ctx, desired) {
    return dnsAlias.create(ctx, desired);
  },

  async delete(ctx, actual) {
    // Only the records that hold exactly what tekamolo wrote; a name someone else points elsewhere stays.
    await deleteOurAliasRecords(
      ctx,
      actual.zoneId,
      actual.records,
      `tekamolo ${ctx.config.stack}: site names removed`,
    );
  },

  outputs(actual) {
    return { names: actual.names };
  },

  describe(_ctx, actual) {
    return actual.names
      .map((name) => {
        const held = actual.records.filter((r) => r.name === name);
        const parts = held.map((r) => r.holds ?? `${r.type} missing`);
        return `${name}: ${parts.join(', ')}`;
      })
      .join('; ');
  },

  async health(ctx, actual): Promise<Health> {
    const foreign = actual.records.filter((r) => r.ownership === 'foreign');
    if (foreign.length > 0) {
      return {
        state: 'unhealthy',
        detail: `points elsewhere: ${foreign.map((r) => `${r.name} ${r.holds}`).join('; ')}`,
      };
    }
    const desired = await dnsAlias.desired(ctx);
    const off = aliasChanges(desired.specs, actual.records);
    if (off.length > 0) {
      return { state: 'unhealthy', detail: off.map((c) => `${c.field}: ${String(c.from)}`).join('; ') };
    }
    return { state: 'ok', detail: `${actual.names.length} name(s) → ${actual.records[0]?.target ?? '?'}` };
  },
};
