// Security group rules as canonical keys ("tcp:443:pl-…", "tcp:22:203.0.113.10/32"): one key per
// (protocol, ports, source), so that desired and actual rules compare as plain sorted lists.
import {
  DescribeSecurityGroupRulesCommand,
  type IpPermission,
  RevokeSecurityGroupIngressCommand,
  type RevokeSecurityGroupIngressCommandInput,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { hasErrorName } from '../../aws/errors.js';
import type { ResourceContext, Unknown } from '../../engine/contract.js';

/** One ingress rule, TCP only: the source is exactly one of cidr, cidrV6, prefixListId, groupId. */
export interface IngressRule {
  port: number;
  cidr?: string;
  cidrV6?: string;
  prefixListId?: string;
  /** Unknown in `plan` while the source group does not exist yet. */
  groupId?: string | Unknown;
  description?: string;
}

export function ruleKey(rule: IngressRule): string {
  const source = rule.cidr ?? rule.cidrV6 ?? rule.prefixListId ?? rule.groupId ?? '?';
  return `tcp:${rule.port}:${source}`;
}

/** "tcp:443:pl-1" → ["tcp", "443", "pl-1"]; the source may hold colons itself (IPv6). */
function splitKey(key: string): [string, string, string] {
  const first = key.indexOf(':');
  const second = key.indexOf(':', first + 1);
  return [key.slice(0, first), key.slice(first + 1, second), key.slice(second + 1)];
}

export function parseRuleKey(key: string): IngressRule & { groupId?: string } {
  const [, port, source] = splitKey(key);
  const rule: IngressRule & { groupId?: string } = { port: Number(port) };
  if (source.startsWith('pl-')) rule.prefixListId = source;
  else if (source.startsWith('sg-')) rule.groupId = source;
  else if (source.includes(':')) rule.cidrV6 = source;
  else rule.cidr = source;
  return rule;
}

/** Flatten AWS's grouped permissions into one key per (protocol, ports, source). */
export function ruleKeys(permissions: IpPermission[] | undefined): string[] {
  const keys: string[] = [];
  for (const p of permissions ?? []) {
    const protocol = p.IpProtocol === '6' ? 'tcp' : p.IpProtocol;
    const ports =
      p.FromPort === undefined || p.FromPort === -1
        ? 'all'
        : p.FromPort === p.ToPort
          ? `${p.FromPort}`
          : `${p.FromPort}-${p.ToPort}`;
    const prefix = `${protocol}:${ports}`;
    for (const r of p.IpRanges ?? []) keys.push(`${prefix}:${r.CidrIp}`);
    for (const r of p.Ipv6Ranges ?? []) keys.push(`${prefix}:${r.CidrIpv6}`);
    for (const r of p.PrefixListIds ?? []) keys.push(`${prefix}:${r.PrefixListId}`);
    for (const r of p.UserIdGroupPairs ?? []) keys.push(`${prefix}:${r.GroupId}`);
  }
  return [...new Set(keys)].sort();
}

/** The AWS permission for one key; revoking uses the key as read, so any protocol and range works. */
export function toPermission(key: string, description?: string): IpPermission {
  const [protocol, ports, source] = splitKey(key);
  const rule = parseRuleKey(`tcp:0:${source}`);
  const permission: IpPermission = { IpProtocol: protocol };
  if (ports !== 'all') {
    const [from, to = from] = ports.split('-');
    permission.FromPort = Number(from);
    permission.ToPort = Number(to);
  }
  const desc = description ? { Description: description } : {};
  if (rule.cidr) permission.IpRanges = [{ CidrIp: rule.cidr, ...desc }];
  if (rule.cidrV6) permission.Ipv6Ranges = [{ CidrIpv6: rule.cidrV6, ...desc }];
  if (rule.prefixListId) permission.PrefixListIds = [{ PrefixListId: rule.prefixListId, ...desc }];
  if (rule.groupId) permission.UserIdGroupPairs = [{ GroupId: rule.groupId, ...desc }];
  return permission;
}

/** The key of one rule as DescribeSecurityGroupRules reports it (same form as ruleKeys). */
function securityGroupRuleKey(rule: SecurityGroupRule): string {
  const protocol = rule.IpProtocol === '6' ? 'tcp' : rule.IpProtocol;
  const ports =
    rule.FromPort === undefined || rule.FromPort === -1
      ? 'all'
      : rule.FromPort === rule.ToPort
        ? `${rule.FromPort}`
        : `${rule.FromPort}-${rule.ToPort}`;
  const source = rule.CidrIpv4 ?? rule.CidrIpv6 ?? rule.PrefixListId ?? rule.ReferencedGroupInfo?.GroupId;
  return `${protocol}:${ports}:${source}`;
}

/**
 * Revoke by rule id: revoking by permission must repeat fields such as the description exactly in
 * some implementations, while a rule id names exactly one rule.
 */
export async function revokeRules(ctx: ResourceContext, groupId: string, keys: string[]): Promise<void> {
  const result = await ctx.aws
    .ec2()
    .send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }));
  const ids = new Map<string, string>();
  for (const rule of result.SecurityGroupRules ?? []) {
    if (!rule.IsEgress && rule.SecurityGroupRuleId)
      ids.set(securityGroupRuleKey(rule), rule.SecurityGroupRuleId);
  }
  const byId = keys.flatMap((k) => (ids.has(k) ? [ids.get(k) as string] : []));
  const byPermission = keys.filter((k) => !ids.has(k)).map((k) => toPermission(k));
  if (byId.length > 0) {
    await revokeAll(ctx, byId, (some) => ({ GroupId: groupId, SecurityGroupRuleIds: some }));
  }
  if (byPermission.length > 0) {
    await revokeAll(ctx, byPermission, (some) => ({ GroupId: groupId, IpPermissions: some }));
  }
}

/** What EC2 answers for a rule that is not there (any more). */
const RULE_GONE = ['InvalidSecurityGroupRuleId.NotFound', 'InvalidPermission.NotFound'];

/**
 * Revoke `items` in one call; a rule already gone counts as revoked. EC2 refuses the whole call
 * when one is gone (a revoke retried after its answer was lost, or one done meanwhile by hand), so
 * they are then revoked one at a time, skipping those gone.
 */
async function revokeAll<T>(
  ctx: ResourceContext,
  items: T[],
  input: (some: T[]) => RevokeSecurityGroupIngressCommandInput,
): Promise<void> {
  const ec2 = ctx.aws.ec2();
  try {
    await ec2.send(new RevokeSecurityGroupIngressCommand(input(items)));
  } catch (error) {
    if (!hasErrorName(error, ...RULE_GONE)) throw error;
    for (const item of items) {
      try {
        await ec2.send(new RevokeSecurityGroupIngressCommand(input([item])));
      } catch (single) {
        if (!hasErrorName(single, ...RULE_GONE)) throw single;
      }
    }
  }
}
