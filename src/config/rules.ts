/**
 * Format rules for single config values. Each returns undefined when the value is fine, otherwise what
 * was expected (and, when one can be guessed, the value the user probably meant).
 */
export interface Problem {
  expected: string;
  suggestion?: string;
}

export type Rule = (value: string) => Problem | undefined;

export const STACK_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?$/;
export const STACK_EXPECTED =
  '1–20 characters of a-z, 0-9 and "-", starting and ending with a letter or digit';

export const stackName: Rule = (value) => {
  if (!STACK_PATTERN.test(value)) {
    const guess = value
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 20)
      .replace(/-+$/, '');
    return guess && guess !== value && STACK_PATTERN.test(guess)
      ? { expected: STACK_EXPECTED, suggestion: guess }
      : { expected: STACK_EXPECTED };
  }
  // The load balancer is named <stack>-alb, and ELB rejects names that begin with "internal-".
  if (value === 'internal' || value.startsWith('internal-')) {
    return {
      expected: 'a stack name that does not begin with "internal" (reserved by Elastic Load Balancing)',
    };
  }
  return undefined;
};

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const DNS_LABEL_PATTERN = LABEL;

export const hostname: Rule = (value) => {
  const expected = 'a domain name such as example.com: labels of a-z, 0-9 and "-", separated by dots';
  const lower = value.toLowerCase().replace(/\.$/, '');
  if (lower !== value && hostname(lower) === undefined) return { expected, suggestion: lower };
  if (value.length > 253) return { expected: 'a domain name of at most 253 characters' };
  const labels = value.split('.');
  if (labels.length < 2) return { expected };
  if (!labels.every((label) => LABEL.test(label))) return { expected };
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) return { expected };
  return undefined;
};

/** Amazon S3 general purpose bucket naming rules. */
export const bucketName: Rule = (value) => {
  const rules = '3–63 characters of a-z, 0-9, "." and "-", starting and ending with a letter or digit';
  const lower = value.toLowerCase();
  if (lower !== value && bucketName(lower) === undefined) return { expected: rules, suggestion: lower };
  if (value.length < 3 || value.length > 63) return { expected: rules };
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(value)) return { expected: rules };
  if (value.includes('..')) return { expected: 'a bucket name without two adjacent dots' };
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(value)) return { expected: 'a bucket name that is not an IP address' };
  const prefix = ['xn--', 'sthree-', 'amzn-s3-demo-'].find((p) => value.startsWith(p));
  if (prefix) return { expected: `a bucket name that does not begin with "${prefix}" (reserved by S3)` };
  const suffix = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'].find((s) => value.endsWith(s));
  if (suffix) return { expected: `a bucket name that does not end with "${suffix}" (reserved by S3)` };
  return undefined;
};

export const CLOUDFRONT_PATH_PATTERN = /^\/[A-Za-z0-9_\-.*$/~"'@:+&]{0,254}$/;

export const cloudFrontPath: Rule = (value) => {
  const expected =
    'a CloudFront path pattern of at most 255 characters that starts with "/" and uses only ' +
    'A-Z a-z 0-9 _ - . * $ / ~ " \' @ : + &, such as /api/*';
  if (value === '/*' || value === '*') {
    return { expected: 'a narrower path pattern than "/*", which is the default behavior (the bucket)' };
  }
  if (!CLOUDFRONT_PATH_PATTERN.test(value)) {
    const withSlash = `/${value}`;
    return CLOUDFRONT_PATH_PATTERN.test(withSlash) ? { expected, suggestion: withSlash } : { expected };
  }
  return undefined;
};

export const HEALTH_CHECK_PATH_PATTERN = /^\/[A-Za-z0-9_\-.~!$&'()*+,;=:@/%?]{0,1023}$/;
/** The id as Route 53 prints it, with or without the "/hostedzone/" the API puts in front. */
export const HOSTED_ZONE_ID_PATTERN = /^(?:\/hostedzone\/)?[A-Z0-9]{1,32}$/;

export const hostedZoneId: Rule = (value) => {
  if (HOSTED_ZONE_ID_PATTERN.test(value)) return undefined;
  const expected = 'a Route 53 hosted zone id such as Z0123456789ABC (upper-case letters and digits)';
  const fixed = value.replace(/[a-z0-9]+$/, (id) => id.toUpperCase());
  return HOSTED_ZONE_ID_PATTERN.test(fixed) ? { expected, suggestion: fixed } : { expected };
};

export const AMI_PATTERN = /^(?:ami-[0-9a-f]{8,17}|ssm:\/[A-Za-z0-9_.\-/]+)$/;
export const INSTANCE_TYPE_PATTERN = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;
export const VPC_ID_PATTERN = /^vpc-[0-9a-f]{8,17}$/;
export const SUBNET_ID_PATTERN = /^subnet-[0-9a-f]{8,17}$/;

/** Graviton (arm64) families: a generation digit followed by "g" (t4g, m7g, c7gn, r8g, x2gd, g5g). */
export function isArmInstanceType(instanceType: string): boolean {
  return /^[a-z]+\d+g[a-z]*\./.test(instanceType) || instanceType.startsWith('a1.');
}

export const TAG_KEY_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
