import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkDerivedNames } from './derived-name-rules.js';
import { foundText, hasKey, type PathIssue, valueAt } from './path-issue.js';
import { hostname, isArmInstanceType, TAG_KEY_CHARS } from './rules.js';
import { DEFAULT_AMI, scalingSchema } from './schema.js';

/**
 * Checks that need more than one field, or the file system. They run on the raw document even when
 * the schema found problems elsewhere, so that one run reports everything; each check only looks at
 * fields that are themselves well-formed, so a bad value is reported once, by the schema.
 */
export function checkSemantics(raw: unknown, dir: string, stage?: string): PathIssue[] {
  return [
    ...checkScaling(raw),
    ...checkAliases(raw),
    ...checkUserData(raw, dir),
    ...checkArchitecture(raw),
    ...checkUnique(raw, ['backend', 'sshCidrs'], 'each CIDR once (EC2 rejects a duplicate rule)'),
    ...checkUnique(raw, ['backend', 'subnetIds'], 'each subnet once'),
    ...checkTags(raw),
    ...checkDerivedNames(raw, stage),
  ];
}

/** EC2 refuses user data above 16 KB (before base64). */
export const USER_DATA_LIMIT = 16 * 1024;
/** AWS allows 50 tags per resource; tekamolo:stack and tekamolo:resource take two. */
export const TAG_LIMIT = 48;

function text(raw: unknown, path: readonly PropertyKey[]): string | undefined {
  const value = valueAt(raw, path);
  return typeof value === 'string' ? value : undefined;
}

function checkScaling(raw: unknown): PathIssue[] {
  const base = ['backend', 'scaling'];
  const parsed = scalingSchema.safeParse(valueAt(raw, base) ?? {});
  if (!parsed.success) return [];
  const { min, desired, max } = parsed.data;
  const shown = (key: string, value: number) =>
    hasKey(raw, [...base, key]) ? String(value) : `${value}, the default`;
  if (min > max) {
    return [
      {
        path: [...base, 'min'],
        anchor: 'value',
        found: shown('min', min),
        expected: `at most max (${shown('max', max)})`,
      },
    ];
  }
  if (desired < min) {
    return [
      {
        path: [...base, 'desired'],
        anchor: 'value',
        found: shown('desired', desired),
        expected: `at least min (${shown('min', min)})`,
      },
    ];
  }
  if (desired > max) {
    return [
      {
        path: [...base, 'desired'],
        anchor: 'value',
        found: shown('desired', desired),
        expected: `at most max (${shown('max', max)})`,
      },
    ];
  }
  return [];
}

function checkAliases(raw: unknown): PathIssue[] {
  const domain = text(raw, ['domain']);
  const aliases = valueAt(raw, ['aliases']);
  if (!domain || hostname(domain) || !Array.isArray(aliases)) return [];
  const originName = text(raw, ['dns', 'originName']) ?? 'origin';
  const issues: PathIssue[] = [];
  const seen = new Set<string>();
  aliases.forEach((alias: unknown, index) => {
    if (typeof alias !== 'string' || hostname(alias)) return;
    const path = ['aliases', index];
    const found = foundText(alias);
    if (alias === domain) {
      issues.push({
        path,
        anchor: 'value',
        found,
        expected: `a subdomain of ${domain} (the domain itself is always served)`,
      });
    } else if (!alias.endsWith(`.${domain}`)) {
      issues.push({
        path,
        anchor: 'value',
        found,
        expected: `a name under ${domain}, such as www.${domain}`,
      });
    } else if (alias === `${originName}.${domain}`) {
      issues.push({
        path,
        anchor: 'value',
        found,
        expected: `a name other than ${alias}, which is how CloudFront reaches the load balancer (dns.originName)`,
      });
    } else if (seen.has(alias)) {
      issues.push({ path, anchor: 'value', found, expected: 'each alias once' });
    }
    seen.add(alias);
  });
  return issues;
}

function checkUserData(raw: unknown, dir: string): PathIssue[] {
  const file = text(raw, ['backend', 'userData']);
  if (!file) return [];
  const path = ['backend', 'userData'];
  const absolute = resolve(dir, file);
  const stats = statSync(absolute, { throwIfNoEntry: false });
  if (!stats) {
    return [
      {
        path,
        anchor: 'value',
        found: foundText(file),
        expected: `an existing file (nothing at ${absolute})`,
      },
    ];
  }
  if (!stats.isFile()) {
    return [
      { path, anchor: 'value', found: foundText(file), expected: `a file (${absolute} is not a file)` },
    ];
  }
  if (stats.size > USER_DATA_LIMIT) {
    return [
      {
        path,
        anchor: 'value',
        found: `${foundText(file)} of ${stats.size} bytes`,
        expected: `at most ${USER_DATA_LIMIT} bytes (the EC2 user data limit)`,
      },
    ];
  }
  return [];
}

/** An SSM parameter names the architecture; a Graviton type cannot boot an x86_64 image or back. */
function checkArchitecture(raw: unknown): PathIssue[] {
  const ami = hasKey(raw, ['backend', 'ami']) ? text(raw, ['backend', 'ami']) : DEFAULT_AMI;
  const type = text(raw, ['backend', 'instanceType']);
  if (!ami?.startsWith('ssm:') || !type) return [];
  const arm = isArmInstanceType(type);
  if (arm && ami.includes('x86_64')) {
    const found = `${foundText(type)}, an arm64 type, with an x86_64 image`;
    return [
      {
        path: ['backend', 'instanceType'],
        anchor: 'value',
        found,
        expected: 'an x86_64 instance type',
        suggestion: `backend.ami ${JSON.stringify(ami.replace('x86_64', 'arm64'))}`,
      },
    ];
  }
  if (!arm && ami.includes('arm64')) {
    const found = `${foundText(type)}, an x86_64 type, with an arm64 image`;
    return [
      {
        path: ['backend', 'instanceType'],
        anchor: 'value',
        found,
        expected: 'an arm64 (Graviton) instance type such as t4g.small',
      },
    ];
  }
  return [];
}

function checkUnique(raw: unknown, base: string[], why: string): PathIssue[] {
  const list = valueAt(raw, base);
  if (!Array.isArray(list)) return [];
  const seen = new Set<unknown>();
  const issues: PathIssue[] = [];
  list.forEach((item: unknown, index) => {
    if (seen.has(item)) {
      issues.push({
        path: [...base, index],
        anchor: 'value',
        found: `${foundText(item)} a second time`,
        expected: why,
      });
    }
    seen.add(item);
  });
  return issues;
}

function checkTags(raw: unknown): PathIssue[] {
  const tags = valueAt(raw, ['tags']);
  if (!tags || typeof tags !== 'object' || Array.isArray(tags)) return [];
  const issues: PathIssue[] = [];
  const entries = Object.entries(tags);
  for (const [key, value] of entries) {
    const path = ['tags', key];
    const keyProblem = tagKeyProblem(key);
    if (keyProblem)
      issues.push({ path, anchor: 'key', found: `tag key ${foundText(key)}`, expected: keyProblem });
    if (typeof value === 'string' && (value.length > 256 || !TAG_KEY_CHARS.test(value))) {
      issues.push({
        path,
        anchor: 'value',
        found: foundText(value),
        expected: 'a tag value of at most 256 letters, digits, spaces and _ . : / = + - @',
      });
    }
  }
  if (entries.length > TAG_LIMIT) {
    issues.push({
      path: ['tags'],
      anchor: 'key',
      found: `${entries.length} tags`,
      expected: `at most ${TAG_LIMIT} (AWS allows 50 per resource; tekamolo adds 2)`,
    });
  }
  return issues;
}

function tagKeyProblem(key: string): string | undefined {
  if (key.length < 1 || key.length > 128) return 'a tag key of 1–128 characters';
  if (!TAG_KEY_CHARS.test(key)) return 'a tag key of letters, digits, spaces and _ . : / = + - @';
  if (/^aws:/i.test(key)) return 'a tag key that does not begin with "aws:" (reserved by AWS)';
  if (/^tekamolo:/i.test(key)) return 'a tag key that does not begin with "tekamolo:" (tekamolo sets those)';
  return undefined;
}
