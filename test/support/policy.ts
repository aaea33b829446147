import type { TraceRecord } from '../../src/aws/trace.js';
import { loadConfig } from '../../src/config/load.js';
import { SDK_CALLS } from '../../src/policy/calls.js';
import { buildPolicy, type PolicyUse } from '../../src/policy/document.js';

/**
 * The traced calls that `tekamolo policy` for this config does not allow: a call missing from the
 * table, or an IAM action of it that no statement of the generated document lists (a `Describe*`
 * wildcard counts). An empty list means the policy covers the run.
 */
export async function callsNotInPolicy(
  configFile: string,
  records: TraceRecord[],
  use: PolicyUse = 'all',
): Promise<string[]> {
  const { config, names } = await loadConfig(configFile);
  const allowed = new Set(buildPolicy(config, names, use).document.Statement.flatMap((s) => s.Action));
  const covers = (action: string) =>
    allowed.has(action) || (action.includes(':Describe') && allowed.has(`${action.split(':')[0]}:Describe*`));
  const missing = new Set<string>();
  for (const { service, operation } of records) {
    const call = `${service}:${operation}`;
    const grants = SDK_CALLS[call];
    if (!grants) missing.add(`${call} (not in the table)`);
    for (const [action] of grants ?? []) if (!covers(action)) missing.add(`${call} needs ${action}`);
  }
  return [...missing].sort();
}
