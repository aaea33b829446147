import { ExitCode } from '../../errors.js';
import { stack } from '../../resources/index.js';
import { statusExitCode } from '../../status/exit-code.js';
import { readStatus, type StatusReport } from '../../status/read.js';
import type { CommandRunner, StatusOptions } from '../options.js';
import type { Colors } from '../render/colors.js';
import { resultColors } from '../render/index.js';
import { statusDocument } from '../render/status-json.js';
import { renderStatus } from '../render/status-table.js';
import { engineEnv, openSession } from '../session.js';

/** Clear the terminal and put the cursor home: each reading replaces the last one. */
const REDRAW = '\x1b[2J\x1b[H';

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

interface Output {
  verbose: boolean;
  c: Colors;
  /** The terminal's width when stdout is one. */
  columns?: number;
}

function table(report: StatusReport, output: Output): string {
  return renderStatus(report, output.c, output.verbose, output.columns);
}

/**
 * `tekamolo status`: one read-only reading of the whole stack, or with `--watch` one every few seconds
 * until Ctrl-C: redrawn in place on a terminal, appended when piped (one JSON document per line with
 * --json). The exit code is that of the last complete reading.
 */
export const run: CommandRunner<StatusOptions> = async (globals, options, tracer) => {
  const session = await openSession(globals, { command: 'status', tracer, lock: false, readOnly: true });
  try {
    const env = engineEnv(session, stack, { wait: false, yes: false, readOnly: true, keepBucket: false });
    const { renderer } = session;
    // Read, never written: the table fits the terminal that shows it.
    const { stdout } = globals.io;
    const tty = Boolean(stdout.isTTY);
    const output: Output = { verbose: globals.verbose, c: resultColors(globals, globals.io) };
    if (tty && stdout.columns) output.columns = stdout.columns;
    const read = () => readStatus(env, { tracer: session.tracer });

    if (options.watch === undefined) {
      const report = await read();
      renderer.result({ text: table(report, output), document: statusDocument(report) });
      return statusExitCode(report, options.exitCode);
    }

    const redraw = tty && !globals.json;
    let code: number = ExitCode.interrupted;
    while (!session.signal.aborted) {
      const report = await read();
      // A reading cut short by Ctrl-C is incomplete: the last complete one stands.
      if (session.signal.aborted) break;
      const text = table(report, output);
      renderer.result({
        text: redraw
          ? `${REDRAW}${text}${output.c.dim(`every ${options.watch}s; Ctrl-C to stop`)}\n`
          : `${text}\n`,
        document: statusDocument(report),
        compact: true,
      });
      code = statusExitCode(report, options.exitCode);
      await sleep(options.watch * 1000, session.signal);
    }
    return code;
  } finally {
    await session.close();
  }
};
