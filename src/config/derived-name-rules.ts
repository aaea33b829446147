import { derived } from './names.js';
import { foundText, hasKey, type PathIssue, valueAt } from './path-issue.js';
import { bucketName, type Rule, stackName } from './rules.js';

/** Elastic Load Balancing names (load balancer, target group). */
export const elbName: Rule = (value) => {
  if (value.length > 32) return { expected: 'a name of at most 32 characters (Elastic Load Balancing)' };
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(value)) {
    return {
      expected:
        'a name of a-z, A-Z, 0-9 and "-" that neither begins nor ends with "-" (Elastic Load Balancing)',
    };
  }
  return undefined;
};

/** EC2 security group names. */
export const securityGroupName: Rule = (value) => {
  if (value.length > 255) return { expected: 'a name of at most 255 characters (EC2 security groups)' };
  // EC2 refuses it: "sg-" is how group ids begin, and a name must not look like one.
  if (/^sg-/i.test(value)) return { expected: 'a name that does not begin with "sg-" (reserved by EC2)' };
  return undefined;
};

/**
 * Validate makes no AWS call, so the derived bucket name is checked with a stand-in account id: every
 * account id has 12 digits, so the name's length, beginning and end are the same for every account.
 */
const ANY_ACCOUNT = '000000000000';

interface DerivedName {
  what: string;
  name: string;
  rule: Rule;
  /** What else the user can do than choose another stack name. */
  orElse?: string;
}

function derivedNames(raw: unknown, stack: string): DerivedName[] {
  const port = valueAt(raw, ['backend', 'port']) ?? 8080;
  const names: DerivedName[] = [
    { what: 'load balancer', name: derived.loadBalancer(stack), rule: elbName },
    { what: 'ALB security group', name: derived.albSecurityGroup(stack), rule: securityGroupName },
    {
      what: 'instance security group',
      name: derived.instanceSecurityGroup(stack),
      rule: securityGroupName,
    },
  ];
  if (typeof port === 'number' && Number.isInteger(port)) {
    names.push({ what: 'target group', name: derived.targetGroup(stack, port), rule: elbName });
  }
  if (!hasKey(raw, ['frontend', 'bucket'])) {
    names.push({
      what: 'bucket',
      name: derived.bucket(stack, ANY_ACCOUNT),
      rule: bucketName,
      orElse: 'or set frontend.bucket',
    });
  }
  return names;
}

/**
 * Names tekamolo derives from the stack name must pass AWS's own naming rules too: a stack name that
 * is well-formed by itself can still make a name AWS refuses halfway through `up` (`sg-web` makes the
 * security group `sg-web-alb`). Each problem is reported at `stack`, naming the derived name; with a
 * stage, the names are made from `<stack>-<stage>`.
 */
export function checkDerivedNames(raw: unknown, stage?: string): PathIssue[] {
  const stack = valueAt(raw, ['stack']);
  // A malformed stack name is reported once, by the schema.
  if (typeof stack !== 'string' || stackName(stack)) return [];
  const issues: PathIssue[] = [];
  for (const { what, name, rule, orElse } of derivedNames(raw, stage ? `${stack}-${stage}` : stack)) {
    const problem = rule(name);
    if (!problem) continue;
    issues.push({
      path: ['stack'],
      anchor: 'value',
      found: `${foundText(stack)}, which makes the ${what} name ${foundText(name.replace(ANY_ACCOUNT, '<account id>'))}`,
      expected: `${problem.expected}${orElse ? `; ${orElse}` : ''}`,
    });
  }
  return issues;
}
