import { describe, expect, it } from 'vitest';
import { colors } from '../../../src/cli/render/colors.js';
import { renderCost } from '../../../src/cli/render/cost.js';
import type { ConfigInput } from '../../../src/config/schema.js';
import { type CostEstimate, estimateCost, USAGE_PRICED } from '../../../src/cost/estimate.js';
import { GLOBAL_PRICES, HOURS_PER_MONTH, PRICES_AS_OF, REGION_PRICES } from '../../../src/cost/prices.js';
import { testConfig } from '../../support/context.js';

const frankfurt = REGION_PRICES['eu-central-1'];
const h = HOURS_PER_MONTH;
const cents = (value: number) => Math.round(value * 100) / 100;
const ZONES = ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'];

function config(
  backend: Partial<ConfigInput['backend']> = {},
  region: ConfigInput['region'] = 'eu-central-1',
) {
  return testConfig({ region, backend: { sshCidrs: [], ...backend } });
}

const item = (cost: CostEstimate, name: string) => cost.items.find((i) => i.name === name);

describe('estimateCost', () => {
  it('prices what runs at rest: load balancer hours, desired instances and their volumes, addresses, zone', () => {
    if (!frankfurt) throw new Error('the table has eu-central-1');
    const small = frankfurt.instanceHour['t3.small'] ?? Number.NaN;
    // Default scaling: 2 desired t3.small, an Elastic IP; 3 zones whose subnets give public addresses.
    const cost = estimateCost(config(), { zones: ZONES, publicIpOnLaunch: true });
    const expected = {
      'load balancer': cents(h * frankfurt.loadBalancerHour),
      'load balancer LCUs': 0,
      instances: cents(2 * h * small),
      'root volumes': cents(2 * 8 * frankfurt.gp3GbMonth),
      // One per load balancer zone, one per instance; the Elastic IP replaces an instance's own.
      'public IPv4 addresses': cents(5 * h * GLOBAL_PRICES.publicIpv4Hour),
      'hosted zone': GLOBAL_PRICES.hostedZoneMonth,
    };
    expect(Object.fromEntries(cost.items.map((i) => [i.name, i.monthly]))).toEqual(expected);
    expect(cost.monthly).toBe(cents(Object.values(expected).reduce((a, b) => a + b, 0)));
    expect(cost).toMatchObject({
      estimate: true,
      currency: 'USD',
      region: 'eu-central-1',
      pricesAsOf: PRICES_AS_OF,
      usagePriced: USAGE_PRICED,
      note: null,
    });
    expect(item(cost, 'instances')?.detail).toBe(`2 × t3.small × 730 h × $${small}`);
    expect(item(cost, 'public IPv4 addresses')?.detail).toBe(
      '5 (load balancer 3, instances 2 incl. the Elastic IP) × 730 h × $0.005',
    );
    expect(item(cost, 'hosted zone')?.detail).toBe('1 × $0.50');
  });

  it('subnets without public addresses: only the load balancer and the Elastic IP have one', () => {
    const cost = estimateCost(config(), { zones: ZONES.slice(0, 2), publicIpOnLaunch: false });
    expect(item(cost, 'public IPv4 addresses')).toEqual({
      name: 'public IPv4 addresses',
      detail: '3 (load balancer 2, Elastic IP 1) × 730 h × $0.005',
      monthly: cents(3 * h * GLOBAL_PRICES.publicIpv4Hour),
    });
  });

  it('no Elastic IP and no instance: the load balancer alone; its zones default to the configured subnets', () => {
    const subnetIds = ['subnet-0123456789abcdef1', 'subnet-0123456789abcdef2', 'subnet-0123456789abcdef3'];
    const cost = estimateCost(
      config({ elasticIp: false, scaling: { min: 0, desired: 0, max: 1 }, subnetIds }),
    );
    expect(item(cost, 'public IPv4 addresses')?.detail).toBe('3 (load balancer 3) × 730 h × $0.005');
    expect(item(cost, 'instances')?.monthly).toBe(0);
    expect(item(cost, 'root volumes')?.monthly).toBe(0);
  });

  it('the instance count is the desired capacity, priced at the region and type', () => {
    const cost = estimateCost(
      config({ instanceType: 't4g.micro', scaling: { min: 1, desired: 3, max: 4 } }),
      {
        zones: ZONES,
      },
    );
    const micro = REGION_PRICES['eu-central-1']?.instanceHour['t4g.micro'] ?? Number.NaN;
    expect(item(cost, 'instances')?.monthly).toBe(cents(3 * h * micro));
  });

  it('a region the table does not have: no estimate, the usage-priced parts still named', () => {
    const cost = estimateCost(config({}, 'ap-south-2'));
    expect(cost).toEqual({
      estimate: true,
      currency: 'USD',
      region: 'ap-south-2',
      pricesAsOf: PRICES_AS_OF,
      monthly: null,
      items: [],
      usagePriced: USAGE_PRICED,
      note: 'no estimate for ap-south-2 (the price table has us-east-1, eu-central-1, eu-west-1)',
    });
    // Within an 80-column terminal, which would cut the line.
    expect(renderCost(cost, colors(false))).toBe(
      'Estimated cost at rest: no estimate for ap-south-2 (the price table has\n' +
        '  us-east-1, eu-central-1, eu-west-1)\n',
    );
  });

  it('an instance type the table does not have: no total, and the note says why', () => {
    const cost = estimateCost(config({ instanceType: 'm7i.large' }, 'us-east-1'), { zones: ZONES });
    expect(item(cost, 'instances')).toEqual({
      name: 'instances',
      detail: '2 × m7i.large: not in the price table',
      monthly: null,
    });
    expect(cost.monthly).toBeNull();
    expect(cost.note).toBe('the price table has no m7i.large in us-east-1, so there is no total');
  });

  it('every region of the table prices the default instance type', () => {
    for (const [region, prices] of Object.entries(REGION_PRICES)) {
      expect(prices.instanceHour['t3.small'], region).toBeGreaterThan(0);
    }
  });
});

describe('renderCost', () => {
  it('labels the figure an estimate, one line per item within 80 columns, and names what is not priced', () => {
    const cost = estimateCost(config(), { zones: ZONES, publicIpOnLaunch: true });
    const text = renderCost(cost, colors(false));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `Estimated cost at rest: $${cost.monthly?.toFixed(2)}/month (eu-central-1 on-demand prices, ${PRICES_AS_OF})`,
    );
    expect(lines.filter((l) => l.length > 80)).toEqual([]);
    expect(text).toContain('not included, priced by use:');
    expect(text).toContain('CloudFront requests and data transfer');
    expect(text).toMatch(/ {2}instances {15}\$\d+\.\d\d {2}2 × t3\.small/);
  });
});
