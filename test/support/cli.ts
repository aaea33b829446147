import { type CliOptions, type CliRun, startCli } from './e2e.js';

/**
 * Ctrl-C as a user presses it, for the CLI tests: the built command line (spawned by e2e.ts) gets
 * SIGINT once what it wrote so far on `stream` satisfies `until`, and the run is awaited to its end.
 */
export async function interruptWhen(
  args: string[],
  options: CliOptions,
  stream: 'stdout' | 'stderr',
  until: (written: string) => boolean,
): Promise<CliRun & { interrupted: boolean }> {
  const run = startCli(args, options);
  let written = '';
  let interrupted = false;
  run.child[stream]?.on('data', (d: Buffer) => {
    written += d.toString();
    if (!interrupted && until(written)) {
      interrupted = true;
      run.child.kill('SIGINT');
    }
  });
  const result = await run.done;
  return { ...result, interrupted };
}
