import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { scaffoldConfig, stackNameFor } from '../../../src/config/scaffold.js';

const example = readFileSync('config.example.yaml', 'utf8');
const answers = { stack: 'shop', region: 'us-west-2', domain: 'example.org' };

describe('scaffoldConfig', () => {
  const text = scaffoldConfig(example, answers, 'node_modules/tekamolo/schema/tekamolo.schema.json');
  const config = parse(text) as Record<string, Record<string, unknown>>;

  it('puts the answers in place of the example values', () => {
    expect(config).toMatchObject({
      stack: 'shop',
      region: 'us-west-2',
      domain: 'example.org',
      aliases: ['www.example.org'],
    });
    expect(text.split('\n')[0]).toBe(
      '# yaml-language-server: $schema=node_modules/tekamolo/schema/tekamolo.schema.json',
    );
  });

  it("comments out the example's own zone, bucket, script, address and tags, and keeps the rest", () => {
    expect(config.dns).toEqual({ originName: 'origin' });
    expect(config.frontend).not.toHaveProperty('bucket');
    expect(config.backend).not.toHaveProperty('userData');
    expect(config.backend).not.toHaveProperty('sshCidrs');
    expect(config).not.toHaveProperty('tags');
    expect(config.backend).toMatchObject({ instanceType: 't3.small', port: 8080 });
    for (const line of [
      '  # hostedZoneId: Z0123456789ABC',
      '  # sshCidrs: [203.0.113.10/32]',
      '# tags: { team: web }',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
  });

  it('keeps every comment of the example, line for line', () => {
    const comments = (source: string) =>
      source
        .split('\n')
        .filter((line) => /^\s*#/.test(line))
        .slice(1);
    expect(comments(text)).toEqual(expect.arrayContaining(comments(example)));
    expect(text.split('\n')).toHaveLength(example.split('\n').length);
  });

  it('quotes a value that YAML would read as something else', () => {
    const odd = parse(scaffoldConfig(example, { stack: '123', region: 'null', domain: 'a: b' }, 's.json'));
    expect(odd).toMatchObject({ stack: '123', region: 'null', domain: 'a: b', aliases: ['www.a: b'] });
  });
});

describe('stackNameFor', () => {
  it("is the domain's first label as a stack name", () => {
    expect(stackNameFor('example.org')).toBe('example');
    expect(stackNameFor('My_Shop.example.org')).toBe('my-shop');
    expect(stackNameFor('a-very-long-name-of-a-shop.org')).toBe('a-very-long-name-of');
    expect(stackNameFor('-.org')).toBeUndefined();
    expect(stackNameFor(undefined)).toBeUndefined();
  });
});
