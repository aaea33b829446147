import type { Anchor } from './yaml-position.js';

/** An issue before it has a place in the file: the loader turns the path into line and column. */
export interface PathIssue {
  path: readonly PropertyKey[];
  anchor: Anchor;
  /** Replaces the found/expected sentence when a problem does not fit that shape. */
  message?: string;
  found?: string;
  expected?: string;
  /** The value or key the user probably meant, unquoted. */
  suggestion?: string;
}

/** `backend.sshCidrs[1]`, `tags.team`: how a path is written in messages. */
export function pathText(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(String(segment)))
      text += text ? `.${String(segment)}` : String(segment);
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

/** A value as the user wrote it, short enough for one line. */
export function foundText(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    const text = value.length > 60 ? `${value.slice(0, 57)}…` : value;
    return JSON.stringify(text);
  }
  return String(value);
}

export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment as string];
  }
  return value;
}

export function hasKey(root: unknown, path: readonly PropertyKey[]): boolean {
  const parent = valueAt(root, path.slice(0, -1));
  const key = path[path.length - 1];
  return parent !== null && typeof parent === 'object' && key !== undefined && Object.hasOwn(parent, key);
}
