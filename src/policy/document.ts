import { isReadOnlyOperation } from '../aws/trace.js';
import type { Names } from '../config/names.js';
import type { Config } from '../config/schema.js';
import { type Grant, type Scope, SDK_CALLS } from './calls.js';
import { type Condition, type ScopeGrant, scopes } from './scopes.js';

/** What the policy is for: every command, or only the read-only ones (`plan`, `status`). */
export type PolicyUse = 'all' | 'plan' | 'status';

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: Condition;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** What IAM allows a managed policy, white space not counted. */
export const MANAGED_POLICY_LIMIT = 6144;

/** The size IAM counts: the document without white space. */
export function iamSize(document: PolicyDocument): number {
  return JSON.stringify(document).replace(/\s/g, '').length;
}

export interface Policy {
  document: PolicyDocument;
  /** Why IAM cannot scope a statement further, by Sid (IAM documents have no room for comments). */
  reasons: Record<string, string>;
}

/** The grants needed for a use: the read-only commands send only Get/List/Describe/Head calls. */
function grantsFor(use: PolicyUse): Grant[] {
  return Object.entries(SDK_CALLS)
    .filter(([call]) => use === 'all' || isReadOnlyOperation(call.slice(call.indexOf(':') + 1)))
    .flatMap(([, grants]) => grants);
}

function sid(scope: Scope): string {
  return scope.charAt(0).toUpperCase() + scope.slice(1);
}

/**
 * Read-only actions that IAM grants only on "*" collapse to `service:Describe*` when a service has
 * several: they read and never change, and the dozens of names would push the document past IAM's
 * 6,144 characters for a managed policy.
 */
function collapseDescribes(actions: string[]): string[] {
  const describes = new Map<string, number>();
  for (const a of actions) {
    const [service, name] = a.split(':') as [string, string];
    if (name.startsWith('Describe')) describes.set(service, (describes.get(service) ?? 0) + 1);
  }
  const collapsed = actions.map((a) => {
    const [service, name] = a.split(':') as [string, string];
    return name.startsWith('Describe') && (describes.get(service) ?? 0) > 1 ? `${service}:Describe*` : a;
  });
  return [...new Set(collapsed)];
}

/**
 * Wildcards for sets of actions on the stack's named resources, to keep the document within IAM's
 * 6,144 characters. Each is written only when every action it stands for is in the statement; what it
 * grants beyond them is more of the same verb on those same named resources (the load balancer's
 * attributes, the bucket's other settings, the profile's untagging), never anything of another's.
 */
const WILDCARDS: Record<string, string[]> = {
  'elasticloadbalancing:Create*': ['CreateListener', 'CreateLoadBalancer', 'CreateRule', 'CreateTargetGroup'],
  'elasticloadbalancing:Delete*': ['DeleteListener', 'DeleteLoadBalancer', 'DeleteRule', 'DeleteTargetGroup'],
  'elasticloadbalancing:Modify*': ['ModifyListener', 'ModifyRule', 'ModifyTargetGroup'],
  'elasticloadbalancing:Set*': ['SetIpAddressType', 'SetSecurityGroups', 'SetSubnets'],
  's3:Get*': [
    'GetBucketOwnershipControls',
    'GetBucketPolicy',
    'GetBucketPublicAccessBlock',
    'GetBucketTagging',
    'GetEncryptionConfiguration',
    'GetObject',
  ],
  'iam:*InstanceProfile': [
    'AddRoleToInstanceProfile',
    'CreateInstanceProfile',
    'DeleteInstanceProfile',
    'GetInstanceProfile',
    'RemoveRoleFromInstanceProfile',
    'TagInstanceProfile',
  ],
  'iam:List*': ['ListAttachedRolePolicies', 'ListInstanceProfileTags', 'ListRolePolicies', 'ListRoleTags'],
};

function withWildcards(actions: string[]): string[] {
  let result = actions;
  for (const [wildcard, names] of Object.entries(WILDCARDS)) {
    const service = wildcard.slice(0, wildcard.indexOf(':'));
    const members = names.map((n) => `${service}:${n}`);
    if (!members.every((m) => result.includes(m))) continue;
    result = [...result.filter((a) => !members.includes(a)), wildcard];
  }
  return result.sort();
}

/** Whether an action is granted by one of a statement's actions (wildcards included). */
export function grants(actions: string[], action: string): boolean {
  return actions.some(
    (a) => a === action || (a.includes('*') && new RegExp(`^${a.replace(/\*/g, '[A-Za-z]*')}$`).test(action)),
  );
}

/** The least-privilege policy for a config: one statement per scope (or per shared statement name). */
export function buildPolicy(config: Config, names: Names, use: PolicyUse = 'all'): Policy {
  const where = scopes(config, names);
  const bySid = new Map<string, { grant: ScopeGrant; actions: Set<string>; resources: Set<string> }>();
  for (const [action, scope] of grantsFor(use)) {
    const grant = where[scope];
    if (!grant) continue;
    const key = grant.statement ?? sid(scope);
    const entry = bySid.get(key) ?? { grant, actions: new Set<string>(), resources: new Set<string>() };
    entry.actions.add(action);
    for (const r of grant.resources) entry.resources.add(r);
    bySid.set(key, entry);
  }
  const reasons: Record<string, string> = {};
  const statements: PolicyStatement[] = [];
  for (const [Sid, { grant, actions, resources }] of bySid) {
    const Resource = [...resources];
    const sorted = [...actions].sort();
    const statement: PolicyStatement = {
      Sid,
      Effect: 'Allow',
      Action:
        Resource.length === 1 && Resource[0] === '*' ? collapseDescribes(sorted) : withWildcards(sorted),
      Resource,
    };
    if (grant.condition) statement.Condition = grant.condition;
    if (grant.reason) reasons[Sid] = grant.reason;
    statements.push(statement);
  }
  return { document: { Version: '2012-10-17', Statement: statements }, reasons };
}
