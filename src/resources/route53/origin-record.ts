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
import type { OriginRecordOutputs } from '../outputs.js';
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
import { normalizeName } from './records.js';

interface DesiredOriginRecord {
  zoneId: string | Unknown;
  spec: AliasSpec;
}

interface ActualOriginRecord extends Actual {
  zoneId: string;
  name: string;
  record: AliasRecordState;
}

/**
 * AWS recommends the 'dualstack.' prefix for alias records to a load balancer; Route 53 reads the
 * alias back with it, so writing it avoids a difference on every run.
 */
function dualstack(dnsName: string): string {
  const name = normalizeName(dnsName);
  return name.startsWith('dualstack.') ? name : `dualstack.${name}`;
}

/** What the origin record's state entry records. */
const savedShape = z.object({
  zoneId: z.optional(z.string()),
  name: z.optional(z.string()),
  target: z.optional(z.string()),
});

function savedTargets(ctx: ResourceContext): string[] {
  const { target } = savedState(ctx, savedShape);
  return target ? [target] : [];
}

export const originRecord: Resource<DesiredOriginRecord, ActualOriginRecord, OriginRecordOutputs> = {
  key: 'originRecord',
  title: 'Route 53 origin record',
  dependsOn: ['zone', 'loadBalancer'],

  desired(ctx) {
    const loadBalancer = ctx.output('loadBalancer');
    return {
      zoneId: outputField(ctx.output('zone'), 'zoneId'),
      spec: {
        name: ctx.names.originName,
        type: 'A',
        // EvaluateTargetHealth false: CloudFront should reach the ALB and see its 5xx, not NXDOMAIN.
        alias: isUnknown(loadBalancer)
          ? unknown
          : {
              dnsName: dualstack(loadBalancer.dnsName),
              hostedZoneId: loadBalancer.canonicalHostedZoneId,
              evaluateTargetHealth: false,
            },
      },
    };
  },

  async find(ctx) {
    const desired = await originRecord.desired(ctx);
    const zoneId = known(desired.zoneId);
    if (!zoneId) return undefined;
    const [record] = await readAliasRecords(ctx, zoneId, [desired.spec], savedTargets(ctx));
    if (!record || record.ownership === 'missing') return undefined;
    const actual: ActualOriginRecord = { id: record.name, zoneId, name: record.name, record };
    const foreign = foreignReason([record]);
    if (foreign) actual.foreign = foreign;
    return actual;
  },

  // Records carry no tags: `find` compares it with what tekamolo wrote (a record that points elsewhere
  // is `foreign` and needs a confirmation); the load balancer it points at must be ours.
  ownership() {
    return { through: ['loadBalancer'] };
  },

  diff(desired, actual): Change[] {
    return aliasChanges([desired.spec], [actual.record]);
  },

  async create(ctx, desired) {
    const zoneId = knownValue(desired.zoneId, 'the hosted zone');
    const [record] = await writeAliasRecords(
      ctx,
      zoneId,
      [desired.spec],
      savedTargets(ctx),
      `tekamolo ${ctx.config.stack}: origin name for CloudFront`,
    );
    if (!record) throw new Error('origin record: nothing written');
    await ctx.record({ zoneId, name: record.name, target: record.target });
    return { id: record.name, zoneId, name: record.name, record };
  },

  update(ctx, desired) {
    return originRecord.create(ctx, desired);
  },

  async delete(ctx, actual) {
    await deleteOurAliasRecords(
      ctx,
      actual.zoneId,
      [actual.record],
      `tekamolo ${ctx.config.stack}: origin removed`,
    );
  },

  outputs(actual) {
    return { name: actual.name };
  },

  describe(_ctx, actual) {
    return `${actual.name} ${actual.record.holds ?? 'missing'}`;
  },

  async health(ctx, actual): Promise<Health> {
    if (actual.record.ownership === 'foreign') {
      return { state: 'unhealthy', detail: `${actual.name} points elsewhere: ${actual.record.holds}` };
    }
    const want = (await originRecord.desired(ctx)).spec.alias;
    if (!isUnknown(want) && actual.record.target !== want.dnsName) {
      return {
        state: 'unhealthy',
        detail: `${actual.name} points to ${actual.record.target}, not ${want.dnsName}`,
      };
    }
    return { state: 'ok' };
  },
};
