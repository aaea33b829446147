import { ExitCode } from '../errors.js';
import type { StatusReport } from './read.js';

/**
 * 1 when a resource could not be read (status cannot answer, as `plan` does); with `--exit-code`, 3
 * when anything else is not ok; otherwise 0.
 */
export function statusExitCode(report: StatusReport, exitCode: boolean): number {
  if (report.summary.counts.error > 0) return ExitCode.failure;
  if (exitCode && !report.summary.ok) return ExitCode.differs;
  return ExitCode.ok;
}
