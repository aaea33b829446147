import type { Health } from '../../engine/contract.js';
import type { StatusReport } from '../../status/read.js';
import type { StatusRow, StatusState } from '../../status/row.js';
import { countsLine } from '../../status/summary.js';
import type { Colors } from './colors.js';
import { fitToWidth } from './fit.js';
import { formatChange, formatMs, scopeText } from './format.js';

function paint(state: StatusState, c: Colors): (text: string) => string {
  switch (state) {
    case 'ok':
      return c.green;
    case 'pending':
      return c.cyan;
    case 'drifted':
      return c.yellow;
    case 'missing':
      return c.magenta;
    default:
      return c.red;
  }
}

function healthDetail(health: Health | null): string | undefined {
  return health && 'detail' in health && health.detail ? health.detail : undefined;
}

/** The lines under a row's first one: why it is not ok. */
function explain(row: StatusRow, verbose: boolean): string[] {
  const lines: string[] = [];
  if (row.error) lines.push(row.error);
  if (row.hint) lines.push(`→ ${row.hint}`);
  if ((row.state === 'foreign' || row.state === 'leftover') && row.reason) lines.push(row.reason);
  for (const change of row.changes) lines.push(formatChange(change));
  const health = healthDetail(row.health);
  if (health && health !== row.detail && (row.health?.state !== 'ok' || verbose)) lines.push(health);
  return lines;
}

function firstLine(row: StatusRow): string {
  if (row.detail) return row.detail;
  if (row.state === 'missing') return row.reason ?? 'does not exist';
  return '';
}

/** Time of a reading as a person reads it: `2026-11-25 21:50:03 UTC`. */
export function readingTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/**
 * `tekamolo status` for a person: a header with the time of the reading and the state file, one row
 * per resource in graph order (key, state, short id, detail; under it what is wrong), then the URLs,
 * the counts per state and the next steps. With `columns` (a terminal's width), every line is cut to
 * fit (fit.ts); piped output keeps whole lines.
 */
export function renderStatus(report: StatusReport, c: Colors, verbose = false, columns?: number): string {
  const lines: string[] = [
    c.bold(`Status of stack ${report.stack} at ${readingTime(report.time)}${scopeText(report.scope)}`),
    report.stateFile.exists
      ? c.dim(`state file ${report.stateFile.path}`)
      : c.yellow(
          `no state file at ${report.stateFile.path}: resources were looked up by name and tag; \`tekamolo up\` adopts what was found`,
        ),
    '',
  ];
  const keyWidth = Math.max(3, ...report.rows.map((r) => r.key.length));
  const stateWidth = Math.max(5, ...report.rows.map((r) => r.state.length));
  const idWidth = Math.max(2, ...report.rows.map((r) => (r.shortId ?? '-').length));
  const indent = ' '.repeat(2 + keyWidth + 2 + stateWidth + 2 + idWidth + 2);
  lines.push(
    c.dim(`  ${'KEY'.padEnd(keyWidth)}  ${'STATE'.padEnd(stateWidth)}  ${'ID'.padEnd(idWidth)}  DETAIL`),
  );
  for (const row of report.rows) {
    const state = paint(row.state, c)(row.state.padEnd(stateWidth));
    const id = (row.shortId ?? '-').padEnd(idWidth);
    lines.push(`  ${row.key.padEnd(keyWidth)}  ${state}  ${c.dim(id)}  ${firstLine(row)}`.trimEnd());
    for (const line of explain(row, verbose)) lines.push(`${indent}${c.dim(line)}`);
  }
  const { summary } = report;
  lines.push('', c.bold('URLs'));
  for (const url of summary.urls.site) lines.push(`  ${url}`);
  lines.push(`  ${summary.urls.api} (API)`);
  if (summary.urls.cloudfront) lines.push(c.dim(`  ${summary.urls.cloudfront} (CloudFront)`));
  lines.push('', `${summary.ok ? c.green('all ok') : c.yellow('not all ok')}: ${countsLine(summary.counts)}`);
  if (summary.nextSteps.length > 0) {
    lines.push('', c.bold('Next steps'));
    for (const step of summary.nextSteps) lines.push(`  → ${step}`);
  }
  const calls = report.awsCalls
    ? `; ${report.awsCalls.total} AWS calls (${report.awsCalls.changing} changing)`
    : '';
  lines.push('', c.dim(`read in ${formatMs(report.durationMs)}${calls}`));
  return fitToWidth(`${lines.join('\n')}\n`, columns);
}
