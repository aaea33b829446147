import type * as z from 'zod/mini';
import { foundText, hasKey, type PathIssue, pathText, valueAt } from './path-issue.js';
import { allKeyPaths, descriptionAt, keysAt } from './schema-walk.js';
import { closest } from './suggest.js';

/**
 * Zod's issues rewritten as "found …, expected …". A message set in schema.ts is the expected text;
 * zod's own English messages are replaced, recognised by the marker the parse is given.
 */
export const OWN_MESSAGE = '\u0000';

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

export function fromZodIssue(issue: z.core.$ZodIssue, raw: unknown): PathIssue[] {
  const path = issue.path;
  const custom = issue.message === OWN_MESSAGE ? undefined : issue.message;
  const value = valueAt(raw, path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => unknownKey([...path, key]));
    case 'invalid_type': {
      const expected = custom ?? TYPE_NAMES[issue.expected] ?? issue.expected;
      if (!hasKey(raw, path)) {
        const what = descriptionAt(path);
        const name = String(path[path.length - 1]);
        return [
          {
            path,
            anchor: 'parent',
            message: `missing required field "${name}"${what ? ` (${what.toLowerCase()})` : ''}`,
            expected,
          },
        ];
      }
      const suggestion =
        issue.expected === 'boolean' && typeof value === 'string'
          ? booleanGuess(value)
          : // YAML reads 4711 or true as a number or a boolean; quotes make it text.
            issue.expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')
            ? JSON.stringify(String(value))
            : undefined;
      return [
        { path, anchor: 'value', found: foundText(value), expected, ...(suggestion && { suggestion }) },
      ];
    }
    case 'invalid_value': {
      const values = issue.values.map(String);
      const expected = custom ?? `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
      const guess = typeof value === 'string' ? closest(value, values) : undefined;
      const suggestion = guess === undefined ? undefined : JSON.stringify(guess);
      return [
        { path, anchor: 'value', found: foundText(value), expected, ...(suggestion && { suggestion }) },
      ];
    }
    case 'too_small':
    case 'too_big':
      return [{ path, anchor: 'value', found: foundText(value), expected: custom ?? boundText(issue) }];
    case 'custom': {
      const guess = (issue.params as { suggestion?: string } | undefined)?.suggestion;
      const suggestion = guess === undefined ? undefined : JSON.stringify(guess);
      return [
        {
          path,
          anchor: 'value',
          found: foundText(value),
          expected: issue.message,
          ...(suggestion && { suggestion }),
        },
      ];
    }
    case 'invalid_format':
      return [
        {
          path,
          anchor: 'value',
          found: foundText(value),
          expected: custom ?? `text matching ${issue.pattern ?? issue.format}`,
        },
      ];
    default:
      return [
        { path, anchor: 'value', found: foundText(value), expected: custom ?? issue.code.replace(/_/g, ' ') },
      ];
  }
}

function unknownKey(path: readonly PropertyKey[]): PathIssue {
  const key = String(path[path.length - 1]);
  const parent = path.slice(0, -1);
  const siblings = keysAt(parent);
  const nearby = closest(key, siblings);
  if (nearby) return { path, anchor: 'key', found: `unknown key "${key}"`, suggestion: `"${nearby}"` };
  // A known key in the wrong mapping (port at the top instead of under backend).
  const elsewhere = allKeyPaths().find((p) => p[p.length - 1] === key);
  if (elsewhere)
    return { path, anchor: 'key', found: `unknown key "${key}"`, suggestion: pathText(elsewhere) };
  const expected = siblings.length > 0 ? `one of ${siblings.join(', ')}` : undefined;
  return { path, anchor: 'key', found: `unknown key "${key}"`, ...(expected && { expected }) };
}

function booleanGuess(value: string): string | undefined {
  if (/^(yes|y|on|enabled?)$/i.test(value)) return 'true';
  if (/^(no|n|off|disabled?)$/i.test(value)) return 'false';
  return undefined;
}

function boundText(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === 'too_small';
  const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
  const strict = issue.inclusive === false;
  const op = small ? (strict ? '>' : '≥') : strict ? '<' : '≤';
  switch (issue.origin) {
    case 'string':
      return small ? `at least ${bound} characters` : `at most ${bound} characters`;
    case 'array':
      return small ? `at least ${bound} items` : `at most ${bound} items`;
    default:
      return `a number ${op} ${bound}`;
  }
}
