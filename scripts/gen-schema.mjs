// Writes schema/tekamolo.schema.json from the zod schema in src/config/schema.ts (run after the build).
// A unit test fails when the committed file and the schema differ, so run `npm run schema` after
// changing the schema and commit both.
import { writeFileSync } from 'node:fs';
import { configJsonSchemaText } from '../dist/config/json-schema.js';

const target = new URL('../schema/tekamolo.schema.json', import.meta.url);
writeFileSync(target, configJsonSchemaText());
process.stderr.write(`wrote ${target.pathname}\n`);
