import type { StatusReport } from '../../status/read.js';
import { redactChange } from './format.js';

/** The version of the `status --json` document; raised when a key changes meaning or goes away. */
export const STATUS_JSON_VERSION = 1;

/** `status --json`: the reading as one document (keys documented in docs/status.md), secrets redacted. */
export function statusDocument(report: StatusReport): Record<string, unknown> {
  return {
    version: STATUS_JSON_VERSION,
    stack: report.stack,
    scope: report.scope ?? null,
    time: report.time,
    durationMs: report.durationMs,
    stateFile: report.stateFile,
    ok: report.summary.ok,
    rows: report.rows.map((row) => ({ ...row, changes: row.changes.map(redactChange) })),
    summary: report.summary,
    awsCalls: report.awsCalls,
  };
}

/** One document, indented; with `compact` on one line (one line per reading with --watch). */
export function statusJson(report: StatusReport, compact = false): string {
  return `${JSON.stringify(statusDocument(report), null, compact ? undefined : 2)}\n`;
}
