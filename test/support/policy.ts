import type { TraceRecord } from '../../src/aws/trace.js';
import { loadConfig } from '../../src/config/load.js';
import { SDK_CALLS } from '../../src/policy/calls.js';
import { buildPolicy, grants, type PolicyUse } from '../../src/policy/document.js';
import { scopes } from '../../src/policy/scopes.js';

/**
 * The traced calls that `tekamolo policy` for this config does not allow: a call missing from the
 * table, or an IAM action of it that no statement of the generated document lists (a `Describe*`
 * or another wildcard counts). A grant on a scope this config does not have (the instance role's
 * `iam:PassRole` beside a launch, without backend.sessionManager) is not needed: no role is passed.
 * An empty list means the policy covers the run.
 */
export async function callsNotInPolicy(
  configFile: string,
  records: TraceRecord[],
  use: PolicyUse = 'all',
): Promise<string[]> {
  const { config, names } = await loadConfig(configFile);
  const inConfig = scopes(config, names);
  const allowed = buildPolicy(config, names, use).document.Statement.flatMap((s) => s.Action);
  const covers = (action: string) => grants(allowed, action);
  const missing = new Set<string>();
  for (const { service, operation } of records) {
    const call = `${service}:${operation}`;
    const grants = SDK_CALLS[call];
    if (!grants) missing.add(`${call} (not in the table)`);
    for (const [action, scope] of grants ?? []) {
      if (inConfig[scope] && !covers(action)) missing.add(`${call} needs ${action}`);
    }
  }
  return [...missing].sort();
}
