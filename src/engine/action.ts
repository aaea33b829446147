import type { Change } from './contract.js';

/** What a found resource's differences ask for: one field that cannot change in place replaces it. */
export function actionOf(changes: Change[]): 'replace' | 'update' | 'noop' {
  if (changes.some((c) => c.action === 'replace')) return 'replace';
  return changes.length > 0 ? 'update' : 'noop';
}
