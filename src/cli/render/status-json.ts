import type { StatusReport } from '../../status/read.js';
import { redactChange } from './format.js';

/** `status --json`: the reading as one document (docs/json.md), secrets redacted. */
export function statusDocument(report: StatusReport): Record<string, unknown> {
  return {
    command: 'status',
    stack: report.stack,
    scope: report.scope ?? null,
    time: report.time,
    durationMs: report.durationMs,
    stateFile: report.stateFile,
    ok: report.summary.ok,
    resources: report.rows.map((row) => ({ ...row, changes: row.changes.map(redactChange) })),
    summary: report.summary,
    awsCalls: report.awsCalls,
  };
}
