import { createHash } from 'node:crypto';
import type { Config } from './schema.js';

/**
 * Names derived deterministically from the stack name, so that a lost state file can be rebuilt by
 * finding resources by name and tag. Each is cut to its service's length limit; when cut, a short hash
 * of the full name keeps two long stack names from colliding.
 */
export interface Names {
  stack: string;
  /** Names CloudFront serves: domain first, then aliases. */
  siteNames: string[];
  /** <originName>.<domain>: how CloudFront reaches the ALB. */
  originName: string;
  /** S3 bucket; undefined until the account id is known when not configured. */
  bucket: (accountId: string) => string;
  loadBalancer: string;
  /** Target group name for a given port (a port change means a new target group). */
  targetGroup: (port: number) => string;
  albSecurityGroup: string;
  instanceSecurityGroup: string;
  launchTemplate: string;
  autoScalingGroup: string;
  originAccessControl: string;
  spaFunction: string;
  /** CloudFront distribution comment: how a distribution is recognised without state. */
  distributionComment: string;
  elasticIp: string;
  /** The instances' IAM role and the instance profile holding it (one name for both). */
  instanceRole: string;
}

export const LIMITS = {
  loadBalancer: 32,
  targetGroup: 32,
  securityGroup: 255,
  launchTemplate: 128,
  autoScalingGroup: 255,
  originAccessControl: 64,
  cloudFrontFunction: 64,
  bucket: 63,
  /** An IAM role name; instance profile names may have 128. */
  iamRole: 64,
} as const;

export function shortHash(text: string, length = 6): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** Cut `name` to `limit` characters; a cut name ends with a hash of the full name. */
export function fitName(name: string, limit: number): string {
  if (name.length <= limit) return name;
  const hash = shortHash(name);
  const head = name.slice(0, limit - hash.length - 1).replace(/-+$/, '');
  return `${head}-${hash}`;
}

/** The derived names that AWS checks against its own rules, from the config values they come from. */
export const derived = {
  bucket: (stack: string, accountId: string) => fitName(`${stack}-site-${accountId}`, LIMITS.bucket),
  loadBalancer: (stack: string) => fitName(`${stack}-alb`, LIMITS.loadBalancer),
  targetGroup: (stack: string, port: number) => fitName(`${stack}-tg-${port}`, LIMITS.targetGroup),
  albSecurityGroup: (stack: string) => fitName(`${stack}-alb`, LIMITS.securityGroup),
  instanceSecurityGroup: (stack: string) => fitName(`${stack}-instances`, LIMITS.securityGroup),
};

export function deriveNames(config: Config): Names {
  const s = config.stack;
  const aliases = config.aliases ?? [`www.${config.domain}`];
  return {
    stack: s,
    siteNames: [config.domain, ...aliases.filter((a) => a !== config.domain)],
    originName: `${config.dns.originName}.${config.domain}`,
    bucket: (accountId) => config.frontend.bucket ?? derived.bucket(s, accountId),
    loadBalancer: derived.loadBalancer(s),
    targetGroup: (port) => derived.targetGroup(s, port),
    albSecurityGroup: derived.albSecurityGroup(s),
    instanceSecurityGroup: derived.instanceSecurityGroup(s),
    launchTemplate: fitName(`${s}-backend`, LIMITS.launchTemplate),
    autoScalingGroup: fitName(`${s}-backend`, LIMITS.autoScalingGroup),
    originAccessControl: fitName(`${s}-site-oac`, LIMITS.originAccessControl),
    spaFunction: fitName(`${s}-routing`, LIMITS.cloudFrontFunction),
    distributionComment: `tekamolo:${s}`,
    elasticIp: `${s}-backend`,
    instanceRole: fitName(`${s}-instances`, LIMITS.iamRole),
  };
}
