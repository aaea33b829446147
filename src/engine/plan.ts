import type { Change } from './contract.js';
import type { EngineEnv } from './env.js';
import { findLeftovers, LEFTOVER_REASON, LEFTOVERS_KEY, lookupFailure, wantedIds } from './leftovers.js';
import { type Observation, type ObservedAction, observe } from './observe.js';
import { type Scope, withScope } from './scope.js';

/** One resource in the plan: what `up` would do, field by field. */
export interface PlanEntry {
  key: string;
  title: string;
  action: ObservedAction;
  /** The id of what exists (absent for a create). */
  id?: string;
  changes: Change[];
  reason?: string;
  error?: string;
  hint?: string;
  /** What the resource carries beyond what tekamolo models: left as it is, shown as kept. */
  kept?: string[];
  /** The error is bad input (a missing hosted zone) or follows from one: `plan` exits 2, not 1. */
  badInput?: boolean;
}

export interface PlanSummary {
  create: number;
  update: number;
  replace: number;
  takeover: number;
  noop: number;
  /** Leftovers `up` deletes. */
  leftover: number;
  errors: number;
}

/** Something tagged with the stack that the config does not want: `up` deletes it. */
export interface PlanLeftover {
  key: string;
  title: string;
  id: string;
  region: string;
  reason: string;
}

/** The plan as plain data: `plan --json` prints it, tests compare it with toEqual. */
export interface Plan {
  stack: string;
  /** Account, region and profile of the run. */
  scope?: Scope;
  resources: PlanEntry[];
  leftovers: PlanLeftover[];
  summary: PlanSummary;
}

export function summarize(entries: { action: ObservedAction; error?: string }[], leftovers = 0): PlanSummary {
  const summary: PlanSummary = {
    create: 0,
    update: 0,
    replace: 0,
    takeover: 0,
    noop: 0,
    leftover: leftovers,
    errors: 0,
  };
  for (const e of entries) {
    if (e.error) summary.errors++;
    else summary[e.action]++;
  }
  return summary;
}

/**
 * `3 to create, 1 to update, 0 to replace, 1 to take over` (and the leftovers to delete and the
 * errors, when there are any).
 */
export function summaryLine(summary: PlanSummary): string {
  let line = `${summary.create} to create, ${summary.update} to update, ${summary.replace} to replace, ${summary.takeover} to take over`;
  if (summary.leftover) line += `, ${summary.leftover} leftover to delete`;
  return summary.errors ? `${line}, ${summary.errors} could not be checked` : line;
}

/** Whether `up` would change anything (what `plan --exit-code` answers). */
export function planChanges(plan: Plan): boolean {
  const s = plan.summary;
  return s.create + s.update + s.replace + s.takeover + s.leftover > 0;
}

/**
 * The leftovers beside what was observed. Nothing is called a leftover of a kind that could not be
 * read: the one the graph wants might be among the tagged.
 */
export async function leftoversBeside(env: EngineEnv, observations: Observation[]): Promise<PlanLeftover[]> {
  const unread = observations.filter((o) => o.error).map((o) => o.key);
  const found = await findLeftovers(
    env,
    observations.flatMap((o) => wantedIds(o.actual)),
    unread,
  );
  return found.map(({ key, title, id, region }) => ({ key, title, id, region, reason: LEFTOVER_REASON }));
}

/** Whether every resource that could not be checked failed on bad input (exit 2 rather than 1). */
export function onlyBadInput(plan: Plan): boolean {
  const errors = plan.resources.filter((r) => r.error);
  return errors.length > 0 && errors.every((r) => r.badInput);
}

/** What `up` would do: observe, as plain data. */
export async function plan(env: EngineEnv): Promise<Plan> {
  const observations = await observe(env);
  const resources = observations.map((o) => {
    const entry: PlanEntry = { key: o.key, title: o.title, action: o.action, changes: o.changes };
    if (o.actual) entry.id = o.actual.id;
    if (o.actual?.kept?.length) entry.kept = o.actual.kept;
    if (o.reason) entry.reason = o.reason;
    if (o.error) entry.error = o.error;
    if (o.hint) entry.hint = o.hint;
    if (o.badInput) entry.badInput = true;
    return entry;
  });
  let leftovers: PlanLeftover[] = [];
  try {
    leftovers = await leftoversBeside(env, observations);
  } catch (error) {
    const failure = lookupFailure(error);
    const entry: PlanEntry = { key: LEFTOVERS_KEY, title: 'leftovers', action: 'noop', changes: [] };
    entry.error = failure.message;
    if (failure.hint) entry.hint = failure.hint;
    resources.push(entry);
  }
  return {
    stack: env.config.stack,
    ...withScope(env),
    resources,
    leftovers,
    summary: summarize(resources, leftovers.length),
  };
}
