import type { Change, Health } from '../engine/contract.js';
import type { Observation } from '../engine/observe.js';
import type { PlanLeftover } from '../engine/plan.js';
import { shortId } from './short-id.js';

/**
 * The states of a status row, worst first. `error` is a resource that could not be read (an AWS error,
 * or a dependency that could not be read): tekamolo cannot say whether it is ok.
 */
export const STATUS_STATES = [
  'error',
  'missing',
  'foreign',
  'leftover',
  'drifted',
  'unhealthy',
  'pending',
  'ok',
] as const;
export type StatusState = (typeof STATUS_STATES)[number];

/** One resource in `status`: plain data, printed as a table row or as JSON. */
export interface StatusRow {
  key: string;
  title: string;
  state: StatusState;
  /** The AWS id (ARN, id or name) of what was found; null when nothing was found. */
  id: string | null;
  /** The id cut for a table column. */
  shortId: string | null;
  /** The handler's `describe`: what a user needs to know about it. */
  detail: string | null;
  /** The handler's `health`: null when the resource has no health read or was not found. */
  health: Health | null;
  /** Fields that differ from the config (state `drifted`). */
  changes: Change[];
  /** Why: what points elsewhere (`foreign`), which dependency is missing (`missing`), or `leftover`'s why. */
  reason: string | null;
  /** What could not be read, and what to do about it. */
  error: string | null;
  hint: string | null;
}

/** What the handler's `describe` and `health` said about a resource that was found. */
export interface Reading {
  detail?: string;
  health?: Health;
  /** `describe` or `health` failed. */
  error?: string;
}

/** The state of a row: the worst of existence, sync and health. */
export function stateOf(observation: Observation, reading: Reading): StatusState {
  // A read-only resource that does not exist is an error for `up` (it cannot create it); here it is missing.
  if (observation.missing !== undefined) return 'missing';
  if (observation.error || reading.error) return 'error';
  if (observation.action === 'create') return 'missing';
  if (observation.action === 'takeover') return 'foreign';
  if (observation.action === 'update' || observation.action === 'replace') return 'drifted';
  if (reading.health?.state === 'unhealthy') return 'unhealthy';
  if (reading.health?.state === 'pending') return 'pending';
  return 'ok';
}

/**
 * Why a row is missing without being looked up: the engine does not look for the dependents of a
 * resource that `up` would create; for status that dependency is missing.
 */
function reasonOf(observation: Observation): string | null {
  if (observation.missing !== undefined) return observation.missing || null;
  if (observation.action === 'create' && observation.blockedBy !== undefined) {
    return notLookedUp(observation.blockedBy);
  }
  return observation.reason ?? null;
}

function notLookedUp(dependency: string): string {
  return `not looked up: ${dependency} is missing`;
}

/** An observation (find + diff) and a reading (describe + health) → one row. */
export function toRow(observation: Observation, reading: Reading = {}): StatusRow {
  const id = observation.actual?.id ?? null;
  const error = observation.missing !== undefined ? null : (observation.error ?? reading.error ?? null);
  return {
    key: observation.key,
    title: observation.title,
    state: stateOf(observation, reading),
    id,
    shortId: id === null ? null : shortId(id),
    detail: reading.detail ?? null,
    health: reading.health ?? null,
    changes: observation.changes,
    reason: reasonOf(observation),
    error,
    hint: observation.hint ?? null,
  };
}

/** Something tagged with the stack that the config does not want (`up` deletes it) → one row. */
export function leftoverRow(leftover: PlanLeftover): StatusRow {
  return {
    key: leftover.key,
    title: leftover.title,
    state: 'leftover',
    id: leftover.id,
    shortId: shortId(leftover.id),
    detail: null,
    health: null,
    changes: [],
    reason: leftover.reason,
    error: null,
    hint: null,
  };
}

/**
 * The engine does not look up the dependents of a resource it could not read. When that resource is a
 * looked-up one that is simply missing (no hosted zone), its dependents are missing too, not errors:
 * the answer is "not ok" (exit 3), not "could not tell" (exit 1). Rows are in dependency order, so a
 * chain resolves in one pass. `blockedBy` gives, by key, the dependency a resource was not looked up for.
 */
export function resolveNotChecked(
  rows: StatusRow[],
  blockedBy: (key: string) => string | undefined,
): StatusRow[] {
  const byKey = new Map<string, StatusRow>();
  return rows.map((row) => {
    const dependency = row.state === 'error' ? blockedBy(row.key) : undefined;
    const resolved: StatusRow =
      dependency !== undefined && byKey.get(dependency)?.state === 'missing'
        ? { ...row, state: 'missing', error: null, reason: notLookedUp(dependency) }
        : row;
    byKey.set(row.key, resolved);
    return resolved;
  });
}
