import type { Change } from '../../engine/contract.js';

/**
 * Tags tekamolo wants that the resource lacks or holds with another value. Tags added by others are
 * left alone: only ours are compared. An unread tag set (undefined) is unknown, not different.
 */
export function missingTags(
  desired: Record<string, string>,
  actual: Record<string, string> | undefined,
): Record<string, string> {
  if (!actual) return {};
  const missing: Record<string, string> = {};
  for (const [key, value] of Object.entries(desired)) if (actual[key] !== value) missing[key] = value;
  return missing;
}

/** The `tags` change for plan: one update listing the keys to set (a resource taken over gets ours). */
export function tagChange(
  desired: Record<string, string>,
  actual: Record<string, string> | undefined,
): Change[] {
  const missing = missingTags(desired, actual);
  const keys = Object.keys(missing);
  if (keys.length === 0) return [];
  const from: Record<string, string> = {};
  for (const key of keys) if (actual?.[key] !== undefined) from[key] = actual[key] as string;
  return [{ field: 'tags', from, to: missing, action: 'update' }];
}
