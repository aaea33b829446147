import type { Config } from '../config/schema.js';
import { GLOBAL_PRICES, HOURS_PER_MONTH, PRICES_AS_OF, REGION_PRICES } from './prices.js';

/** The root volume of an Amazon Linux 2023 image, in GiB; a larger image costs more. */
const ROOT_VOLUME_GIB = 8;

/** An internet-facing load balancer holds at least one public IPv4 address per zone, and needs two zones. */
const MIN_LOAD_BALANCER_ZONES = 2;

/** What is priced by use, not by time: named, never priced. */
export const USAGE_PRICED = [
  'CloudFront requests and data transfer',
  'S3 storage and requests',
  'load balancer capacity units used by traffic',
  'Route 53 queries',
  'data transfer out of the region',
  'ACM public certificates (free)',
];

/** One part of the estimate. */
export interface CostItem {
  name: string;
  /** How the figure is made up: `2 × t3.small × 730 h × $0.024`. */
  detail: string;
  /** USD a month, rounded to cents; null when the table has no price for it. */
  monthly: number | null;
}

/** The estimated monthly cost at rest (`cost` in `plan --json` and `outputs --json`). */
export interface CostEstimate {
  /** Always true: a figure from a price table, not a bill. */
  estimate: true;
  currency: 'USD';
  region: string;
  /** When the price table was read from the AWS pricing pages. */
  pricesAsOf: string;
  /** The sum of the items; null when one has no price (then `note` says which). */
  monthly: number | null;
  items: CostItem[];
  /** Priced by use, left out of the sum. */
  usagePriced: string[];
  /** Why the estimate is missing or partial. */
  note: string | null;
}

/** What the account adds to the config: the subnets' zones, and whether instances get public addresses. */
export interface CostFacts {
  /** Zones of the subnets, one load balancer node in each; default: the configured subnets, or two. */
  zones?: readonly string[];
  /** The subnets give each instance a public IPv4 address; default: yes, as default subnets do. */
  publicIpOnLaunch?: boolean;
}

const cents = (value: number) => Math.round(value * 100) / 100;
/** `$0.50`, `$0.027`: cents always shown, and every digit of a smaller unit price. */
const dollars = (value: number) => {
  const isCents = Math.abs(value * 100 - Math.round(value * 100)) < 1e-9;
  return `$${isCents ? value.toFixed(2) : String(value)}`;
};

/** Public IPv4 addresses: per load balancer zone, per instance, and the Elastic IP. */
function addresses(config: Config, facts: CostFacts): { count: number; detail: string } {
  const zones = facts.zones?.length || config.backend.subnetIds?.length || MIN_LOAD_BALANCER_ZONES;
  const instances = facts.publicIpOnLaunch === false ? 0 : config.backend.scaling.desired;
  // An Elastic IP associated with an instance takes the place of the address it launched with.
  const backend = Math.max(instances, config.backend.elasticIp ? 1 : 0);
  const parts = [`load balancer ${zones}`];
  if (instances > 0)
    parts.push(`instances ${instances}${config.backend.elasticIp ? ' incl. the Elastic IP' : ''}`);
  else if (config.backend.elasticIp) parts.push('Elastic IP 1');
  return { count: zones + backend, detail: parts.join(', ') };
}

/**
 * The monthly cost of what the stack keeps running whatever its traffic: the load balancer's hours
 * (no capacity is reserved, so no capacity units are billed at rest), the Auto Scaling group's desired
 * instances and their root volumes, the public IPv4 addresses, the hosted zone.
 */
export function estimateCost(config: Config, facts: CostFacts = {}): CostEstimate {
  const { region } = config;
  const base = {
    estimate: true as const,
    currency: 'USD' as const,
    region,
    pricesAsOf: PRICES_AS_OF,
    usagePriced: USAGE_PRICED,
  };
  const prices = REGION_PRICES[region];
  if (!prices) {
    const known = Object.keys(REGION_PRICES).join(', ');
    return {
      ...base,
      monthly: null,
      items: [],
      note: `no estimate for ${region} (the price table has ${known})`,
    };
  }

  const hours = HOURS_PER_MONTH;
  const { instanceType, scaling } = config.backend;
  const count = scaling.desired;
  const instanceHour = prices.instanceHour[instanceType];
  const ips = addresses(config, facts);
  const items: CostItem[] = [
    {
      name: 'load balancer',
      detail: `${hours} h × ${dollars(prices.loadBalancerHour)}`,
      monthly: cents(hours * prices.loadBalancerHour),
    },
    {
      name: 'load balancer LCUs',
      detail: `none reserved; ${dollars(prices.lcuHour)} per LCU-hour of traffic`,
      monthly: 0,
    },
    {
      name: 'instances',
      detail:
        instanceHour === undefined
          ? `${count} × ${instanceType}: not in the price table`
          : `${count} × ${instanceType} × ${hours} h × ${dollars(instanceHour)}`,
      monthly: instanceHour === undefined ? null : cents(count * hours * instanceHour),
    },
    {
      name: 'root volumes',
      detail: `${count} × ${ROOT_VOLUME_GIB} GiB gp3 × ${dollars(prices.gp3GbMonth)}`,
      monthly: cents(count * ROOT_VOLUME_GIB * prices.gp3GbMonth),
    },
    {
      name: 'public IPv4 addresses',
      detail: `${ips.count} (${ips.detail}) × ${hours} h × ${dollars(GLOBAL_PRICES.publicIpv4Hour)}`,
      monthly: cents(ips.count * hours * GLOBAL_PRICES.publicIpv4Hour),
    },
    {
      name: 'hosted zone',
      detail: `1 × ${dollars(GLOBAL_PRICES.hostedZoneMonth)}`,
      monthly: GLOBAL_PRICES.hostedZoneMonth,
    },
  ];
  const unpriced = items.some((item) => item.monthly === null);
  const sum = items.reduce((total, item) => total + (item.monthly ?? 0), 0);
  return {
    ...base,
    monthly: unpriced ? null : cents(sum),
    items,
    note: unpriced ? `the price table has no ${instanceType} in ${region}, so there is no total` : null,
  };
}
