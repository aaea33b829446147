import type { AwsCalls } from '../aws/trace.js';
import { ExitCode, errorMessage, exitCodeOf } from '../errors.js';
import type { GlobalOptions } from './options.js';
import { pickRenderer } from './render/index.js';
import { errorEvent } from './render/renderer.js';

/**
 * Report the error a command ends with, through a renderer like every other output: in words on
 * stderr, and with --json also as the final event on stdout. Returns the exit code.
 */
export function reportError(
  error: unknown,
  globals: Pick<GlobalOptions, 'json' | 'verbose' | 'color' | 'io'>,
  awsCalls: AwsCalls = { total: 0, changing: 0 },
): number {
  const exitCode = exitCodeOf(error);
  const hint = (error as { hint?: string } | undefined)?.hint;
  const renderer = pickRenderer(globals, globals.io);
  const payload = { error: errorMessage(error), exitCode, awsCalls };
  renderer.sink(errorEvent(hint ? { ...payload, hint } : payload));
  if (globals.verbose && error instanceof Error && error.stack && exitCode === ExitCode.failure) {
    renderer.note(error.stack);
  }
  return exitCode;
}
