import { ExitCode, errorMessage, exitCodeOf } from '../errors.js';
import type { GlobalOptions } from './options.js';

/** Print an error (with its hint) to stderr, or as JSON on stdout with --json; return the exit code. */
export function reportError(error: unknown, globals: Pick<GlobalOptions, 'json' | 'verbose'>): number {
  const code = exitCodeOf(error);
  const hint = (error as { hint?: string } | undefined)?.hint;
  if (globals.json) {
    process.stdout.write(
      `${JSON.stringify({ type: 'error', error: errorMessage(error), hint, exitCode: code })}\n`,
    );
  }
  const prefix = code === ExitCode.interrupted ? '' : 'error: ';
  process.stderr.write(`${prefix}${errorMessage(error)}\n`);
  if (hint) process.stderr.write(`  → ${hint}\n`);
  if (globals.verbose && error instanceof Error && error.stack && code === ExitCode.failure) {
    process.stderr.write(`${error.stack}\n`);
  }
  return code;
}
