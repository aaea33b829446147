import type { Change } from '../../engine/contract.js';
import type { PlanAction } from '../../engine/events.js';
import type { Scope } from '../../engine/scope.js';
import type { Colors } from './colors.js';
import { type AnyMessage, errorText } from './renderer.js';

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

/** Field names that hold secrets: their values are never printed. */
export function isSensitive(field: string): boolean {
  return /secret|password|token|private/i.test(field);
}

export function formatValue(value: unknown): string {
  if (value === undefined) return '(none)';
  if (typeof value === 'string') return value === '' ? '""' : value;
  return JSON.stringify(value);
}

/** `field: old → new`, `(sensitive)` for secrets. */
export function formatChange(change: Change): string {
  if (isSensitive(change.field)) return `${change.field}: (sensitive)`;
  return `${change.field}: ${formatValue(change.from)} → ${formatValue(change.to)}`;
}

/** A change as JSON data, with secret values replaced. */
export function redactChange(change: Change): Change {
  if (!isSensitive(change.field)) return change;
  return { ...change, from: '(sensitive)', to: '(sensitive)' };
}

/** A message as JSON data, with secret values replaced. */
export function redactMessage(message: AnyMessage): AnyMessage {
  if (message.code === 'resource-done' && message.changes) {
    return { ...message, changes: message.changes.map(redactChange) };
  }
  return message;
}

export const ACTION_VERB: Record<PlanAction, string> = {
  create: 'creating',
  update: 'updating',
  replace: 'replacing',
  takeover: 'taking over',
  noop: 'checking',
  delete: 'deleting',
};

export const ACTION_DONE: Record<PlanAction, string> = {
  create: 'created',
  update: 'updated',
  replace: 'replaced',
  takeover: 'taken over',
  noop: 'in sync',
  delete: 'deleted',
};

/** ` (account 123456789012, region eu-central-1, profile dev)`: where a run works; empty without one. */
export function scopeText(scope: Scope | undefined): string {
  if (!scope) return '';
  const partition = scope.partition === 'aws' ? '' : ` (${scope.partition})`;
  const profile = scope.profile === null ? 'default credentials' : `profile ${scope.profile}`;
  return ` (account ${scope.account}${partition}, region ${scope.region}, ${profile})`;
}

/** One line for an event, without time stamp; undefined for events that print nothing. */
export function describeEvent(event: AnyMessage, c: Colors, verbose: boolean): string | undefined {
  switch (event.code) {
    case 'run-started':
      return c.bold(`${event.command} ${event.stack}: ${event.resources} resources${scopeText(event.scope)}`);
    case 'resource-started':
      return event.action === 'noop' && !verbose ? undefined : `${event.key}: ${ACTION_VERB[event.action]}`;
    case 'resource-progress':
      return verbose ? c.dim(`${event.key}: ${event.message}`) : undefined;
    case 'resource-waiting':
      return `${event.key}: ${event.message} (${formatMs(event.elapsedMs)})`;
    case 'resource-done': {
      const mark = event.action === 'noop' ? c.dim('✓') : c.green('✓');
      const id = event.id ? c.dim(` ${event.id}`) : '';
      const text = `${mark} ${event.key}: ${ACTION_DONE[event.action]}${id} ${c.dim(formatMs(event.durationMs))}`;
      const changes =
        verbose && event.changes?.length ? `\n    ${event.changes.map(formatChange).join('\n    ')}` : '';
      return text + changes;
    }
    case 'resource-failed':
      return `${c.red('✗')} ${event.key}: ${event.error}${event.hint ? `\n    → ${event.hint}` : ''}`;
    case 'resource-skipped':
      // A chain of skips after one failure says the same thing many times: the first link is enough.
      if (!verbose && / was skipped$/.test(event.reason)) return undefined;
      return `${c.yellow('-')} ${event.key}: skipped (${event.reason})`;
    case 'resource-health':
      return `${event.key}: ${event.health.state}${'detail' in event.health && event.health.detail ? ` ${event.health.detail}` : ''}`;
    case 'warning':
      return c.yellow(`warning: ${'key' in event && event.key ? `${event.key}: ` : ''}${event.message}`);
    case 'info':
      return event.message;
    case 'error':
      return errorText(event);
    default:
      // run-finished: the command's closing summary says this in words; only --json carries the event
      // as such. Sync's messages are drawn by the sync renderer.
      return undefined;
  }
}

/** "17 created, 2 in sync, 1 failed": a run's counts in words. */
export function countsText(counts: Partial<Record<PlanAction | 'failed' | 'skipped', number>>): string {
  const words: Record<string, string> = { ...ACTION_DONE, failed: 'failed', skipped: 'skipped' };
  const parts = Object.entries(counts)
    .filter(([, n]) => n)
    .map(([k, n]) => `${n} ${words[k] ?? k}`);
  return parts.length ? parts.join(', ') : 'nothing to do';
}
