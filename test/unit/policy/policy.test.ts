import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveNames } from '../../../src/config/names.js';
import { type ConfigInput, configSchema } from '../../../src/config/schema.js';
import { SDK_CALLS } from '../../../src/policy/calls.js';
import {
  buildPolicy,
  grants,
  iamSize,
  MANAGED_POLICY_LIMIT,
  type Policy,
  type PolicyStatement,
} from '../../../src/policy/document.js';

/** The trace's service id for each SDK client package (ARCHITECTURE §1 "Trace"). */
const SERVICE_OF_PACKAGE: Record<string, string> = {
  'client-acm': 'acm',
  'client-auto-scaling': 'autoscaling',
  'client-cloudfront': 'cloudfront',
  'client-ec2': 'ec2',
  'client-elastic-load-balancing-v2': 'elasticloadbalancingv2',
  'client-iam': 'iam',
  'client-resource-groups-tagging-api': 'resourcegroupstaggingapi',
  'client-route-53': 'route53',
  'client-s3': 's3',
  'client-ssm': 'ssm',
  'client-sts': 'sts',
};
/** What @aws-sdk/lib-storage's Upload sends for a large file, besides PutObject. */
const MULTIPART = [
  's3:CreateMultipartUpload',
  's3:UploadPart',
  's3:CompleteMultipartUpload',
  's3:AbortMultipartUpload',
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every `service:Operation` whose command class the source imports as a value. */
function commandsInSource(): string[] {
  const found = new Set<string>();
  const imports = /import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/(client-[a-z0-9-]+)'/g;
  for (const file of sourceFiles('src')) {
    for (const [, list, pkg] of readFileSync(file, 'utf8').matchAll(imports)) {
      const service = SERVICE_OF_PACKAGE[String(pkg)];
      expect(service, `${file} imports @aws-sdk/${pkg}`).toBeDefined();
      for (const name of String(list)
        .split(',')
        .map((n) => n.trim())) {
        if (/^[A-Za-z0-9]+Command$/.test(name)) found.add(`${service}:${name.replace(/Command$/, '')}`);
      }
    }
  }
  return [...found].sort();
}

function policyFor(input: Partial<ConfigInput>, use?: 'plan'): Policy {
  const config = configSchema.parse({
    stack: 'demo',
    region: 'eu-central-1',
    domain: 'example.com',
    ...input,
  });
  return buildPolicy(config, deriveNames(config), use);
}

const LONGEST: Partial<ConfigInput> = {
  stack: 'abcdefghij-klmnopqrs',
  domain: 'a-rather-long-domain-name-for-a-site.example',
  aliases: [
    'www.a-rather-long-domain-name-for-a-site.example',
    'shop.a-rather-long-domain-name-for-a-site.example',
  ],
  frontend: { bucket: 'a-bucket-name-that-is-rather-long-as-well-for-this-test' },
  backend: { keyName: 'ops', vpcId: 'vpc-0123456789abcdef0' },
};

describe('the IAM table', () => {
  it('covers every SDK command the source sends, and names no command the source does not send', () => {
    const used = commandsInSource();
    expect(used.length).toBeGreaterThan(50);
    expect(used.filter((call) => !(call in SDK_CALLS))).toEqual([]);
    const sent = new Set([...used, ...MULTIPART]);
    expect(Object.keys(SDK_CALLS).filter((call) => !sent.has(call))).toEqual([]);
  });

  it('maps each call to well-formed IAM actions', () => {
    for (const [call, grants] of Object.entries(SDK_CALLS)) {
      expect(grants.length, call).toBeGreaterThan(0);
      for (const [action] of grants) expect(action, call).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/);
    }
  });
});

describe('tekamolo policy', () => {
  const configs: Record<string, Partial<ConfigInput>> = {
    defaults: {},
    'every id given': { dns: { hostedZoneId: 'Z0123456789ABC' }, ...LONGEST },
    'an AMI id': { backend: { ami: 'ami-0123456789abcdef0' } },
  };

  it.each(Object.entries(configs))('scopes every statement, or says why IAM cannot (%s)', (_, input) => {
    const policy = policyFor(input);
    const config = configSchema.parse({
      stack: 'demo',
      region: 'eu-central-1',
      domain: 'example.com',
      ...input,
    });
    const stackValues = [config.stack, config.frontend.bucket, config.dns.hostedZoneId].filter(Boolean);
    // Named: the stack's own names or ids, or one exact resource (an AWS parameter, a service role).
    const named = (s: PolicyStatement) =>
      s.Resource.every(
        (r) =>
          stackValues.some((value) => r.includes(String(value))) ||
          !r.split(':').slice(5).join(':').includes('*'),
      );
    for (const statement of policy.document.Statement) {
      const scoped = statement.Condition !== undefined || named(statement);
      expect(scoped || (policy.reasons[statement.Sid]?.length ?? 0) > 20, statement.Sid).toBe(true);
      expect(statement.Resource.length, statement.Sid).toBeGreaterThan(0);
    }
    expect(new Set(policy.document.Statement.map((s) => s.Sid)).size).toBe(policy.document.Statement.length);
  });

  it('grants each write action only under the stack tag or names, except the reasoned launch grants', () => {
    const policy = policyFor({});
    const star = policy.document.Statement.filter((s) => s.Resource.includes('*'));
    expect(star.flatMap((s) => s.Action).filter((a) => !/:(Describe|List|Get)/.test(a))).toEqual([]);
    const tagged = policy.document.Statement.find((s) => s.Sid === 'Tagged');
    expect(tagged?.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/tekamolo:stack': 'demo' } });
    expect(tagged?.Action).toEqual(
      expect.arrayContaining(['ec2:DeleteSecurityGroup', 'acm:DeleteCertificate']),
    );
  });

  it('names the derived bucket by stack when none is configured, and the configured one otherwise', () => {
    const resources = (p: Policy) => p.document.Statement.flatMap((s) => s.Resource);
    expect(resources(policyFor({}))).toContain('arn:aws:s3:::demo-site-*/*');
    expect(resources(policyFor({ frontend: { bucket: 'my-site' } }))).toContain('arn:aws:s3:::my-site');
    expect(resources(policyFor({ frontend: { bucket: 'my-site' } }))).not.toContain(
      'arn:aws:s3:::demo-site-*',
    );
  });

  it('limits record changes to the site names, the origin name and validation records', () => {
    const records = policyFor({ aliases: ['www.example.com', 'shop.example.com'] }).document.Statement.find(
      (s) => s.Action.includes('route53:ChangeResourceRecordSets'),
    );
    expect(records?.Condition?.['ForAllValues:StringLike']).toEqual({
      'route53:ChangeResourceRecordSetsNormalizedRecordNames': [
        'example.com',
        'www.example.com',
        'shop.example.com',
        'origin.example.com',
        '_*.example.com',
      ],
    });
  });

  it('fits the 6,144 characters IAM allows a managed policy, even for the longest names', () => {
    expect(MANAGED_POLICY_LIMIT).toBe(6144);
    expect(iamSize(policyFor({}).document)).toBeLessThanOrEqual(6144);
    expect(iamSize(policyFor(LONGEST).document)).toBeLessThanOrEqual(6144);
  });

  it('--for plan holds only the actions of read-only calls', () => {
    const policy = policyFor({}, 'plan');
    const actions = policy.document.Statement.flatMap((s) => s.Action);
    expect(actions).toContain('cloudfront:GetDistribution');
    expect(actions).toContain('s3:ListBucket');
    expect(actions.filter((a) => !/:(Describe|List|Get)/.test(a))).toEqual([]);
  });

  it('grants every action of the table, wildcards included, and nothing of IAM without the role', () => {
    const allowed = policyFor({ state: { bucket: 'demo-state' } }).document.Statement.flatMap(
      (s) => s.Action,
    );
    const needed = [...new Set(Object.values(SDK_CALLS).flatMap((g) => g.map(([action]) => action)))];
    expect(needed.filter((action) => !grants(allowed, action))).toEqual([]);
    const without = policyFor({ backend: { sessionManager: false } }).document.Statement;
    expect(
      without
        .flatMap((s) => s.Action)
        .filter((a) => a.startsWith('iam:') && a !== 'iam:CreateServiceLinkedRole'),
    ).toEqual([]);
  });

  it("limits the instance role's policy to Session Manager's and its passing to EC2", () => {
    const statements = policyFor({}).document.Statement;
    const holding = (action: string) => statements.filter((s) => grants(s.Action, action));
    for (const action of ['iam:AttachRolePolicy', 'iam:PassRole']) {
      expect(holding(action), action).toEqual([
        {
          Sid: 'InstanceRoleGuarded',
          Effect: 'Allow',
          Action: ['iam:AttachRolePolicy', 'iam:PassRole'],
          Resource: ['arn:aws:iam::*:role/demo-instances'],
          Condition: {
            ArnEqualsIfExists: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' },
            StringEqualsIfExists: { 'iam:PassedToService': 'ec2.amazonaws.com' },
          },
        },
      ]);
    }
    expect(holding('iam:PutRolePolicy')).toEqual([]);
    const named = statements.find((s) => s.Sid === 'Named');
    expect(named?.Resource).toEqual(
      expect.arrayContaining([
        'arn:aws:iam::*:role/demo-instances',
        'arn:aws:iam::*:instance-profile/demo-instances',
      ]),
    );
  });

  it('asks for the AMI parameter only when the AMI comes from SSM', () => {
    const actions = (p: Policy) => p.document.Statement.flatMap((s) => s.Action);
    expect(actions(policyFor({}))).toContain('ssm:GetParameter');
    expect(actions(policyFor({ backend: { ami: 'ami-0123456789abcdef0' } }))).not.toContain(
      'ssm:GetParameter',
    );
  });
});
