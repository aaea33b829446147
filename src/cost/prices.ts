/**
 * On-demand prices in USD of what the stack keeps running, for the regions listed: a snapshot of the
 * AWS pricing pages named beside each figure, as listed there in June 2025 (Linux, no Savings Plans,
 * no free tier). AWS changes prices without notice: update the figures and PRICES_AS_OF together,
 * from the same pages, and add a region as one more entry of REGION_PRICES.
 */
export const PRICES_AS_OF = '2025-06';

/** AWS bills hourly resources by 730 hours a month in its own calculator and pages. */
export const HOURS_PER_MONTH = 730;

/** The pages the figures come from. */
export const PRICE_PAGES = {
  ec2: 'https://aws.amazon.com/ec2/pricing/on-demand/',
  ebs: 'https://aws.amazon.com/ebs/pricing/',
  elb: 'https://aws.amazon.com/elasticloadbalancing/pricing/',
  vpc: 'https://aws.amazon.com/vpc/pricing/',
  route53: 'https://aws.amazon.com/route53/pricing/',
} as const;

/** Prices that are the same in every region. */
export const GLOBAL_PRICES = {
  /** vpc: "Public IPv4 address", $0.005 per IP per hour, in use or idle (since 2024-02-01). */
  publicIpv4Hour: 0.005,
  /** route53: a hosted zone, $0.50 per month for each of the first 25. */
  hostedZoneMonth: 0.5,
} as const;

export interface RegionPrices {
  /** elb: Application Load Balancer, per ALB-hour. */
  loadBalancerHour: number;
  /** elb: Application Load Balancer, per LCU-hour. */
  lcuHour: number;
  /** ebs: gp3 storage, per GB-month. */
  gp3GbMonth: number;
  /** ec2: on-demand Linux, per instance-hour. */
  instanceHour: Readonly<Record<string, number>>;
}

export const REGION_PRICES: Readonly<Record<string, RegionPrices>> = {
  'us-east-1': {
    loadBalancerHour: 0.0225,
    lcuHour: 0.008,
    gp3GbMonth: 0.08,
    instanceHour: {
      't3.nano': 0.0052,
      't3.micro': 0.0104,
      't3.small': 0.0208,
      't3.medium': 0.0416,
      't3.large': 0.0832,
      't4g.nano': 0.0042,
      't4g.micro': 0.0084,
      't4g.small': 0.0168,
      't4g.medium': 0.0336,
      't4g.large': 0.0672,
    },
  },
  'eu-central-1': {
    loadBalancerHour: 0.027,
    lcuHour: 0.008,
    gp3GbMonth: 0.0952,
    instanceHour: {
      't3.nano': 0.006,
      't3.micro': 0.012,
      't3.small': 0.024,
      't3.medium': 0.048,
      't3.large': 0.096,
      't4g.nano': 0.0048,
      't4g.micro': 0.0096,
      't4g.small': 0.0192,
      't4g.medium': 0.0384,
      't4g.large': 0.0768,
    },
  },
  'eu-west-1': {
    loadBalancerHour: 0.0252,
    lcuHour: 0.008,
    gp3GbMonth: 0.088,
    instanceHour: {
      't3.nano': 0.0057,
      't3.micro': 0.0114,
      't3.small': 0.0228,
      't3.medium': 0.0456,
      't3.large': 0.0912,
      't4g.nano': 0.0046,
      't4g.micro': 0.0092,
      't4g.small': 0.0184,
      't4g.medium': 0.0368,
      't4g.large': 0.0736,
    },
  },
};
