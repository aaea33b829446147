import * as z from 'zod/mini';
import { configSchema } from './schema.js';

/**
 * The JSON Schema editors use to complete and check tekamolo.yaml, generated from the same zod schema
 * the loader uses (`npm run schema` writes it to schema/tekamolo.schema.json). Draft 7, because that is
 * what the YAML language server and most editors understand fully. Input shape: fields with a default
 * are optional. Checks a JSON Schema cannot express (domains, CIDRs, min ≤ desired ≤ max) are only in
 * `tekamolo validate`.
 */
export function configJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(configSchema, { target: 'draft-7', io: 'input' });
  const { $schema, ...rest } = generated;
  return { $schema, title: 'tekamolo config', ...rest };
}

export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
