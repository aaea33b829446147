import { expect } from 'vitest';
import type { z } from 'zod';
import { eventLine, FINAL_CODES } from '../../src/output/json-schema.js';

/** stdout of a `--json` command with a result document: exactly one document, valid by `schema`. */
export function expectDocument<S extends z.ZodType>(stdout: string, schema: S): z.infer<S> {
  const parsed = schema.safeParse(JSON.parse(stdout));
  expect(parsed.error?.issues ?? []).toEqual([]);
  return parsed.data as z.infer<S>;
}

export type EventLine = z.infer<typeof eventLine>;

/**
 * stdout of a `--json` command that streams events (up, destroy, sync-frontend, and any command's
 * error): every line one valid event, and the last one final (`ok` and `awsCalls`).
 */
export function expectEventLines(stdout: string): EventLine[] {
  const lines = stdout.trim().split('\n');
  const events = lines.map((line, index) => {
    const parsed = eventLine.safeParse(JSON.parse(line));
    expect(parsed.error?.issues ?? [], `line ${index + 1}: ${line}`).toEqual([]);
    return parsed.data as EventLine;
  });
  const last = events.at(-1);
  expect(FINAL_CODES).toContain(last?.code);
  return events;
}
