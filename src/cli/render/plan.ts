import type { AwsCalls } from '../../aws/trace.js';
import type { DestroyPlan } from '../../engine/destroy.js';
import { destroyPlanLine } from '../../engine/destroy.js';
import type { Plan, PlanEntry } from '../../engine/plan.js';
import { summaryLine } from '../../engine/plan.js';
import type { Colors } from './colors.js';
import { fitToWidth } from './fit.js';
import { formatChange, redactChange, scopeText } from './format.js';

function marker(entry: PlanEntry, c: Colors): string {
  if (entry.error) return c.red('✗  ');
  switch (entry.action) {
    case 'create':
      return c.green('+  ');
    case 'update':
      return c.yellow('~  ');
    case 'replace':
      return c.magenta('-/+');
    case 'takeover':
      return c.red('!  ');
    case 'noop':
      return c.dim('=  ');
  }
}

function headline(entry: PlanEntry): string {
  switch (entry.action) {
    case 'create':
      return entry.reason ? `create (${entry.reason})` : 'create';
    case 'update':
      return 'update in place';
    case 'replace': {
      const why = entry.changes.find((ch) => ch.action === 'replace')?.reason;
      return `replace${why ? ` (${why})` : ''}`;
    }
    case 'takeover':
      return `take over (${entry.reason ?? 'not this stack’s'})`;
    case 'noop':
      return 'in sync';
  }
}

/**
 * The plan for a person: one line per resource (+ create, ~ update, -/+ replace, ! take over), the
 * changed fields as `field: old → new` (secrets as `(sensitive)`), then the leftovers up deletes (-)
 * and the summary line. Resources in sync are listed only with --verbose, or when they keep parts
 * tekamolo does not model. With `columns` (a terminal's width), every line is cut to fit (fit.ts).
 */
export function renderPlan(plan: Plan, c: Colors, verbose: boolean, columns?: number): string {
  const lines: string[] = [c.bold(`Plan for stack ${plan.stack}${scopeText(plan.scope)}:`)];
  const width = Math.max(...[...plan.resources, ...plan.leftovers].map((r) => r.key.length), 8);
  for (const entry of plan.resources) {
    if (entry.action === 'noop' && !entry.error && !entry.kept && !verbose) continue;
    const id = entry.id ? c.dim(` ${entry.id}`) : '';
    const what = entry.error ? c.red(entry.error) : `${headline(entry)}${id}`;
    lines.push(`  ${marker(entry, c)} ${entry.key.padEnd(width)}  ${what}`);
    if (entry.hint) lines.push(`        → ${entry.hint}`);
    for (const change of entry.changes) {
      const note = change.action === 'replace' ? c.magenta(' (forces replacement)') : '';
      lines.push(`        ${formatChange(change)}${note}`);
    }
    for (const kept of entry.kept ?? []) lines.push(c.dim(`        kept: ${kept}`));
  }
  for (const leftover of plan.leftovers) {
    lines.push(
      `  ${c.red('-  ')} ${leftover.key.padEnd(width)}  delete leftover ${leftover.title}${c.dim(` ${leftover.id}`)}`,
    );
    lines.push(c.dim(`        ${leftover.reason}`));
  }
  const inSync = plan.summary.noop;
  if (inSync && !verbose) lines.push(c.dim(`  ${inSync} in sync`));
  lines.push('', summaryLine(plan.summary));
  return fitToWidth(`${lines.join('\n')}\n`, columns);
}

/** `plan --json`: the plan as one document (docs/json.md), secret values replaced. */
export function planDocument(plan: Plan, awsCalls: AwsCalls): Record<string, unknown> {
  const resources = plan.resources.map((r) => ({ ...r, changes: r.changes.map(redactChange) }));
  return {
    command: 'plan',
    ok: plan.summary.errors === 0,
    ...plan,
    resources,
    summaryLine: summaryLine(plan.summary),
    awsCalls,
  };
}

/**
 * What destroy would delete (and what it keeps), for `plan --destroy` and the destroy confirmation;
 * with `columns`, every line cut to fit.
 */
export function renderDestroyPlan(plan: DestroyPlan, c: Colors, columns?: number): string {
  const lines: string[] = [c.bold(`Destroy stack ${plan.stack}${scopeText(plan.scope)}:`)];
  const width = Math.max(...[...plan.resources, ...plan.leftovers].map((r) => r.key.length), 8);
  for (const t of plan.resources) {
    if (t.action === 'absent' && !t.error) continue;
    const id = t.actual ? ` ${t.actual.id}` : '';
    if (t.error) lines.push(`  ${c.red('✗')} ${t.key.padEnd(width)}  ${c.red(t.error)}`);
    else if (t.action === 'delete') {
      lines.push(`  ${c.red('-')} ${t.key.padEnd(width)}  ${t.title}${id}`);
      if (t.detail) lines.push(c.dim(`    ${' '.repeat(width)}  ${t.detail}`));
    } else
      lines.push(`  ${c.dim('=')} ${t.key.padEnd(width)}  ${c.dim(`kept: ${t.title}${id} (${t.reason})`)}`);
  }
  for (const r of plan.retired) {
    lines.push(`  ${c.red('-')} ${r.key.padEnd(width)}  replaced earlier ${String(r.actual.id)}`);
  }
  for (const l of plan.leftovers) {
    lines.push(`  ${c.red('-')} ${l.key.padEnd(width)}  leftover ${l.title} ${l.id}`);
  }
  lines.push('', destroyPlanLine(plan));
  return fitToWidth(`${lines.join('\n')}\n`, columns);
}

/**
 * What a handler read (a listener's origin secret, a distribution's origin header) stays inside: each
 * resource, replaced resource and leftover is named by its id, and a foreign one says why.
 */
export function destroyPlanDocument(plan: DestroyPlan, awsCalls: AwsCalls): Record<string, unknown> {
  const resources = plan.resources.map(({ actual, ...target }) => {
    if (!actual) return target;
    return {
      ...target,
      actual: actual.foreign ? { id: actual.id, foreign: actual.foreign } : { id: actual.id },
    };
  });
  const retired = plan.retired.map(({ key, actual }) => ({ key, id: actual.id }));
  const leftovers = plan.leftovers.map(({ key, title, id, region }) => ({ key, title, id, region }));
  return {
    command: 'plan',
    destroy: true,
    ok: plan.summary.errors === 0,
    ...plan,
    resources,
    retired,
    leftovers,
    summaryLine: destroyPlanLine(plan),
    awsCalls,
  };
}
