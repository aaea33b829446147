import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configJsonSchemaText } from '../../../src/config/json-schema.js';
import { loadConfig } from '../../../src/config/load.js';
import { allKeyPaths } from '../../../src/config/schema-walk.js';

const example = readFileSync('config.example.yaml', 'utf8');
const lines = example.split('\n');

describe('config.example.yaml', () => {
  it('points editors at the JSON Schema on its first line', () => {
    expect(lines[0]).toBe('# yaml-language-server: $schema=./schema/tekamolo.schema.json');
  });

  it('is a valid config: the tekamolo.info stack with spa routing and the user data script', async () => {
    const { config } = await loadConfig('config.example.yaml');
    expect(config.stack).toBe('tekamolo');
    expect(config.domain).toBe('tekamolo.info');
    expect(config.frontend.routing).toBe('spa');
    expect(config.backend.userData).toBe('./backend/user-data.sh');
  });

  it('mentions every field of the schema', () => {
    const missing = allKeyPaths()
      .filter((path) => path[0] !== '$schema')
      .filter((path) => !new RegExp(`(^|[\\s{,#-])${path[path.length - 1]}:`, 'm').test(example))
      .map((path) => path.join('.'));
    expect(missing).toEqual([]);
  });

  it('has a comment right above every key it sets', () => {
    const undocumented = lines
      .map((line, index) => ({ line, above: lines[index - 1] ?? '' }))
      .filter(({ line }) => /^\s*[A-Za-z$][\w$]*:/.test(line))
      .filter(({ above }) => !/^\s*#/.test(above))
      .map(({ line }) => line.trim());
    expect(undocumented).toEqual([]);
  });
});

describe('schema/tekamolo.schema.json', () => {
  it('is what the zod schema generates (run `npm run schema` after changing the schema)', () => {
    expect(readFileSync('schema/tekamolo.schema.json', 'utf8')).toBe(configJsonSchemaText());
  });

  it('describes the contract: required fields, no unknown keys, patterns and enums for editors', () => {
    const schema = JSON.parse(configJsonSchemaText()) as {
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, { enum?: string[]; pattern?: string }>;
    };
    expect(schema.required.sort()).toEqual(['domain', 'region', 'stack']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.region?.enum).toContain('eu-central-1');
    expect(new RegExp(schema.properties.stack?.pattern ?? '^$').test('tekamolo')).toBe(true);
    expect(new RegExp(schema.properties.stack?.pattern ?? '.').test('Tekamolo')).toBe(false);
  });
});
