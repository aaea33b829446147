import { PassThrough, Writable } from 'node:stream';
import { Tracer } from '../../src/aws/trace.js';
import type { CommandRunner, GlobalOptions } from '../../src/cli/options.js';
import { reportError } from '../../src/cli/report-error.js';

export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * One command in this process, as the command line runs it (an error is reported as the command line
 * reports it), with what it wrote to stdout and stderr. AWS is whatever the test mocked.
 */
export async function runCommand<O>(
  runner: CommandRunner<O>,
  globals: Partial<GlobalOptions> & Pick<GlobalOptions, 'config'>,
  options: O,
): Promise<CommandRun> {
  const written = { stdout: '', stderr: '' };
  const capture = (stream: 'stdout' | 'stderr') =>
    new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        written[stream] += String(chunk);
        done();
      },
    });
  const io = { stdin: new PassThrough(), stdout: capture('stdout'), stderr: capture('stderr') };
  const g: GlobalOptions = { json: false, yes: false, verbose: false, color: false, io, ...globals };
  const tracer = new Tracer();
  const code = await runner(g, options, tracer).catch((error: unknown) =>
    reportError(error, g, tracer.calls()),
  );
  return { code, ...written };
}
