import { describe, expect, it } from 'vitest';
import { checkDerivedNames, elbName, securityGroupName } from '../../../src/config/derived-name-rules.js';

describe('Elastic Load Balancing name rule (load balancer, target group)', () => {
  it.each(['a', 'demo-alb', 'Demo-tg-8080', 'x'.repeat(32)])('accepts %s', (name) => {
    expect(elbName(name)).toBeUndefined();
  });
  it.each([
    ['x'.repeat(33), /at most 32/],
    ['-demo', /neither begins nor ends/],
    ['demo-', /neither begins nor ends/],
    ['demo_alb', /a-z, A-Z, 0-9/],
    ['', /a-z, A-Z, 0-9/],
  ])('rejects %j', (name, reason) => {
    expect(elbName(name)?.expected).toMatch(reason);
  });
});

describe('security group name rule', () => {
  it.each(['demo-alb', 'sgx-web', 'web-sg-1'])('accepts %s', (name) => {
    expect(securityGroupName(name)).toBeUndefined();
  });
  it.each([
    ['sg-web-alb', /"sg-"/],
    ['SG-web', /"sg-"/],
    ['x'.repeat(256), /at most 255/],
  ])('rejects %j', (name, reason) => {
    expect(securityGroupName(name)?.expected).toMatch(reason);
  });
});

describe('names derived from the stack name', () => {
  const config = (stack: string, extra: Record<string, unknown> = {}) => ({
    stack,
    region: 'eu-central-1',
    domain: 'example.com',
    ...extra,
  });

  it('accepts a plain stack, the longest stack with the highest port, and "sg" not followed by "-"', () => {
    expect(checkDerivedNames(config('demo'))).toEqual([]);
    expect(checkDerivedNames(config('abcdefghij-klmnopqrs', { backend: { port: 65535 } }))).toEqual([]);
    expect(checkDerivedNames(config('sgweb'))).toEqual([]);
  });

  it('rejects a stack that makes both security group names begin with "sg-", at the stack field', () => {
    const issues = checkDerivedNames(config('sg-web'));
    expect(issues.map((i) => i.found)).toEqual([
      '"sg-web", which makes the ALB security group name "sg-web-alb"',
      '"sg-web", which makes the instance security group name "sg-web-instances"',
    ]);
    expect(issues.every((i) => i.path.join('.') === 'stack')).toBe(true);
  });

  it.each(['xn--shop', 'sthree-web', 'amzn-s3-demo-web'])(
    'rejects %s when the bucket name is derived from it, and accepts it with frontend.bucket set',
    (stack) => {
      const [issue, ...rest] = checkDerivedNames(config(stack));
      expect(rest).toEqual([]);
      expect(issue?.found).toBe(`"${stack}", which makes the bucket name "${stack}-site-<account id>"`);
      expect(issue?.expected).toMatch(/reserved by S3\); or set frontend\.bucket$/);
      expect(checkDerivedNames(config(stack, { frontend: { bucket: 'my-site' } }))).toEqual([]);
    },
  );

  it('leaves a malformed stack name to the schema', () => {
    expect(checkDerivedNames(config('SG-Web'))).toEqual([]);
    expect(checkDerivedNames({ stack: 42 })).toEqual([]);
  });
});
