import {
  GetHostedZoneCommand,
  type HostedZone,
  ListHostedZonesByNameCommand,
  type ListHostedZonesByNameCommandOutput,
} from '@aws-sdk/client-route-53';
import { orUndefined } from '../../aws/errors.js';
import type { Actual, Change, Health, Resource, ResourceContext } from '../../engine/contract.js';
import { UserError } from '../../errors.js';
import type { ZoneOutputs } from '../outputs.js';
import { bareZoneId, normalizeName } from './records.js';

interface DesiredZone {
  domain: string;
  hostedZoneId?: string;
}

export interface ActualZone extends Actual {
  zoneId: string;
  name: string;
  nameServers: string[];
  recordCount?: number;
}

/** Zone listings are paged by name; a domain has at most a handful of same-named zones. */
const MAX_PAGES = 5;

async function readZone(ctx: ResourceContext, id: string): Promise<ActualZone | undefined> {
  const response = await orUndefined(
    ctx.aws.route53().send(new GetHostedZoneCommand({ Id: bareZoneId(id) })),
  );
  const zone = response?.HostedZone;
  if (!zone?.Id) return undefined;
  const actual: ActualZone = {
    id: bareZoneId(zone.Id),
    zoneId: bareZoneId(zone.Id),
    name: normalizeName(zone.Name ?? ''),
    nameServers: response?.DelegationSet?.NameServers ?? [],
  };
  if (zone.ResourceRecordSetCount !== undefined) actual.recordCount = zone.ResourceRecordSetCount;
  return actual;
}

/** Public zones named exactly `domain` (ListHostedZonesByName starts at the name, in name order). */
async function publicZonesNamed(ctx: ResourceContext, domain: string): Promise<HostedZone[]> {
  const wanted = normalizeName(domain);
  const found: HostedZone[] = [];
  let dnsName: string | undefined = `${wanted}.`;
  let zoneId: string | undefined;
  for (let page = 0; page < MAX_PAGES && dnsName; page++) {
    const response: ListHostedZonesByNameCommandOutput = await ctx.aws
      .route53()
      .send(new ListHostedZonesByNameCommand({ DNSName: dnsName, HostedZoneId: zoneId }));
    const zones = response.HostedZones ?? [];
    for (const zone of zones) {
      if (normalizeName(zone.Name ?? '') !== wanted) return found;
      if (!zone.Config?.PrivateZone) found.push(zone);
    }
    if (!response.IsTruncated) break;
    dnsName = response.NextDNSName;
    zoneId = response.NextHostedZoneId;
  }
  return found;
}

function covers(zoneName: string, domain: string): boolean {
  const d = normalizeName(domain);
  return d === zoneName || d.endsWith(`.${zoneName}`);
}

export const zone: Resource<DesiredZone, ActualZone, ZoneOutputs> = {
  key: 'zone',
  title: 'Route 53 hosted zone',
  dependsOn: [],
  readOnly: true,

  desired(ctx) {
    const desired: DesiredZone = { domain: normalizeName(ctx.config.domain) };
    if (ctx.config.dns.hostedZoneId) desired.hostedZoneId = bareZoneId(ctx.config.dns.hostedZoneId);
    return desired;
  },

  async find(ctx) {
    const domain = normalizeName(ctx.config.domain);
    const configured = ctx.config.dns.hostedZoneId;
    if (configured) {
      const actual = await readZone(ctx, configured);
      if (actual && !covers(actual.name, domain)) {
        throw new UserError(
          `dns.hostedZoneId ${bareZoneId(configured)} is the zone of ${actual.name}, which does not hold ${domain}`,
          `set dns.hostedZoneId to the zone of ${domain}, or remove it to find the zone by name`,
        );
      }
      return actual;
    }
    const zones = await publicZonesNamed(ctx, domain);
    if (zones.length > 1) {
      const ids = zones.map((z) => bareZoneId(z.Id ?? '')).join(', ');
      throw new UserError(
        `several public Route 53 hosted zones are named ${domain}: ${ids}`,
        'set dns.hostedZoneId in the config to the one your registrar delegates to',
      );
    }
    const only = zones[0];
    // The listing carries no name servers: GetHostedZone returns the delegation set.
    return only?.Id ? readZone(ctx, only.Id) : undefined;
  },

  // Looked up, never changed or deleted: nothing to prove.
  ownership() {
    return {};
  },

  diff(): Change[] {
    return [];
  },

  async create(_ctx, desired) {
    if (desired.hostedZoneId) {
      throw new UserError(
        `Route 53 hosted zone ${desired.hostedZoneId} (dns.hostedZoneId) does not exist in this account`,
        'check dns.hostedZoneId and the AWS account/profile in use',
      );
    }
    throw new UserError(
      `no Route 53 hosted zone for ${desired.domain}: create one (aws route53 create-hosted-zone --name ${desired.domain} --caller-reference <unique>) and delegate the domain to its name servers, or set dns.hostedZoneId`,
      'tekamolo never creates or deletes the hosted zone',
    );
  },

  async update(_ctx, _desired, actual) {
    return actual;
  },

  async delete() {
    // The hosted zone belongs to the domain, not to the stack: destroy never touches it.
  },

  outputs(actual) {
    return { zoneId: actual.zoneId, name: actual.name, nameServers: actual.nameServers };
  },

  describe(_ctx, actual) {
    const records = actual.recordCount === undefined ? '' : `, ${actual.recordCount} records`;
    return `${actual.name} (${actual.zoneId})${records}, name servers ${actual.nameServers.join(' ') || 'unknown'}`;
  },

  async health(_ctx, actual): Promise<Health> {
    if (actual.nameServers.length === 0) {
      return { state: 'unhealthy', detail: 'the hosted zone has no delegation set (name servers)' };
    }
    return { state: 'ok' };
  },
};
