import { describe, expect, it } from 'vitest';
import { deriveNames, fitName, LIMITS } from '../../../src/config/names.js';
import { type Config, configSchema } from '../../../src/config/schema.js';

function config(stack: string): Config {
  // Names must hold even for stacks longer than the config allows: state from older versions, tests.
  return { ...configSchema.parse({ stack: 'demo', region: 'eu-central-1', domain: 'example.com' }), stack };
}

describe('derived names', () => {
  it('are the plain stack-prefixed names when they fit', () => {
    const names = deriveNames(config('demo'));
    expect(names.loadBalancer).toBe('demo-alb');
    expect(names.targetGroup(8080)).toBe('demo-tg-8080');
    expect(names.launchTemplate).toBe('demo-backend');
    expect(names.bucket('123456789012')).toBe('demo-site-123456789012');
    expect(names.distributionComment).toBe('tekamolo:demo');
  });

  it('fit the longest valid stack name (20 characters) without cutting', () => {
    const stack = 'abcdefghij-klmnopqrs';
    expect(stack).toHaveLength(20);
    const names = deriveNames(config(stack));
    expect(names.loadBalancer).toBe(`${stack}-alb`);
    expect(names.targetGroup(65535)).toHaveLength(20 + '-tg-65535'.length);
    expect(names.targetGroup(65535).length).toBeLessThanOrEqual(LIMITS.targetGroup);
    expect(names.bucket('123456789012').length).toBeLessThanOrEqual(LIMITS.bucket);
  });

  it('cut long names to the ALB and target group limit of 32, ending in a hash of the full name', () => {
    const stack = 'a-very-long-stack-name-that-exceeds-limits';
    const names = deriveNames(config(stack));
    for (const name of [names.loadBalancer, names.targetGroup(8080)]) {
      expect(name.length).toBeLessThanOrEqual(32);
      expect(name).toMatch(/^a-very-long-stack-name-.*-[0-9a-f]{6}$/);
      expect(name).not.toMatch(/--/);
    }
    expect(names.loadBalancer).not.toBe(names.targetGroup(8080));
  });

  it('are deterministic, and two long stacks that share a prefix get different names', () => {
    const a = deriveNames(config('shared-prefix-for-many-stacks-one'));
    const b = deriveNames(config('shared-prefix-for-many-stacks-two'));
    expect(deriveNames(config('shared-prefix-for-many-stacks-one')).loadBalancer).toBe(a.loadBalancer);
    expect(a.loadBalancer).not.toBe(b.loadBalancer);
    expect(a.targetGroup(80)).not.toBe(a.targetGroup(81));
  });

  it('fitName cuts exactly at the limit and leaves short names alone', () => {
    expect(fitName('short', 32)).toBe('short');
    expect(fitName('x'.repeat(32), 32)).toBe('x'.repeat(32));
    expect(fitName('x'.repeat(33), 32)).toHaveLength(32);
  });
});
