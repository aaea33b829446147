import type { Change } from './contract.js';
import type { EngineEnv } from './env.js';
import { type ObservedAction, observe } from './observe.js';
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
  errors: number;
}

/** The plan as plain data: `plan --json` prints it, tests compare it with toEqual. */
export interface Plan {
  stack: string;
  /** Account, region and profile of the run. */
  scope?: Scope;
  resources: PlanEntry[];
  summary: PlanSummary;
}

export function summarize(entries: { action: ObservedAction; error?: string }[]): PlanSummary {
  const summary: PlanSummary = { create: 0, update: 0, replace: 0, takeover: 0, noop: 0, errors: 0 };
  for (const e of entries) {
    if (e.error) summary.errors++;
    else summary[e.action]++;
  }
  return summary;
}

/** `3 to create, 1 to update, 0 to replace, 1 to take over` (and the errors, when there are any). */
export function summaryLine(summary: PlanSummary): string {
  const line = `${summary.create} to create, ${summary.update} to update, ${summary.replace} to replace, ${summary.takeover} to take over`;
  return summary.errors ? `${line}, ${summary.errors} could not be checked` : line;
}

/** Whether `up` would change anything (what `plan --exit-code` answers). */
export function planChanges(plan: Plan): boolean {
  const s = plan.summary;
  return s.create + s.update + s.replace + s.takeover > 0;
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
  return { stack: env.config.stack, ...withScope(env), resources, summary: summarize(resources) };
}
