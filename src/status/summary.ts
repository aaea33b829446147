import type { Names } from '../config/names.js';
import type { Config } from '../config/schema.js';
import type { DistributionOutputs, ZoneOutputs } from '../resources/outputs.js';
import { nextSteps } from './next-steps.js';
import { STATUS_STATES, type StatusRow, type StatusState } from './row.js';

export interface StatusSummary {
  /** Every resource is `ok`. */
  ok: boolean;
  /** Rows per state; every state is present, 0 when none. */
  counts: Record<StatusState, number>;
  /** Where the site and the API are served. */
  urls: { site: string[]; api: string; cloudfront: string | null };
  /** What to do about what is not ok, most urgent first. */
  nextSteps: string[];
}

/** What the summary needs besides the rows. */
export interface SummaryInput {
  config: Config;
  names: Names;
  stateFile: { path: string; exists: boolean };
  /** Outputs of what was found, by key (the zone's name servers, the distribution's domain). */
  outputs: Map<string, Record<string, unknown> | undefined>;
  readOnlyKeys: Set<string>;
  /** Resources the engine did not look up (see NextStepInput). */
  notChecked: Set<string>;
  /** A destroy stopped before the end (see NextStepInput). */
  destroyUnfinished: boolean;
}

export function countStates(rows: Pick<StatusRow, 'state'>[]): Record<StatusState, number> {
  const counts = Object.fromEntries(STATUS_STATES.map((s) => [s, 0])) as Record<StatusState, number>;
  for (const row of rows) counts[row.state]++;
  return counts;
}

/** `/api/*` → `/api/`: the path prefix a person can open. */
export function apiPrefix(apiPath: string): string {
  return apiPath.replace(/\*+$/, '');
}

export function summarize(rows: StatusRow[], input: SummaryInput): StatusSummary {
  const counts = countStates(rows);
  const distribution = input.outputs.get('distribution') as Partial<DistributionOutputs> | undefined;
  const zone = input.outputs.get('zone') as Partial<ZoneOutputs> | undefined;
  return {
    ok: rows.every((r) => r.state === 'ok'),
    counts,
    urls: {
      site: input.names.siteNames.map((name) => `https://${name}/`),
      api: `https://${input.config.domain}${apiPrefix(input.config.cdn.apiPath)}`,
      cloudfront: distribution?.domainName ? `https://${distribution.domainName}/` : null,
    },
    nextSteps: nextSteps(rows, {
      config: input.config,
      stateFile: input.stateFile,
      nameServers: zone?.nameServers ?? [],
      readOnlyKeys: input.readOnlyKeys,
      notChecked: input.notChecked,
      destroyUnfinished: input.destroyUnfinished,
    }),
  };
}

/** `17 ok, 1 drifted, 1 missing`: the states that occur, worst last as in the table's order. */
export function countsLine(counts: Record<StatusState, number>): string {
  return [...STATUS_STATES]
    .reverse()
    .filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`)
    .join(', ');
}
