import { ExitCode } from '../../errors.js';
import { stack } from '../../resources/index.js';
import { statusExitCode } from '../../status/exit-code.js';
import { readStatus, type StatusReport } from '../../status/read.js';
import type { CommandRunner, StatusOptions } from '../options.js';
import { colorFor } from '../render/color-for.js';
import { type Colors, colors } from '../render/colors.js';
import { statusJson } from '../render/status-json.js';
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
  json: boolean;
  verbose: boolean;
  c: Colors;
  /** The terminal's width when stdout is one. */
  columns?: number;
}

function format(report: StatusReport, output: Output, compact: boolean): string {
  return output.json
    ? statusJson(report, compact)
    : renderStatus(report, output.c, output.verbose, output.columns);
}

/**
 * `tekamolo status`: one read-only reading of the whole stack, or with `--watch` one every few seconds
 * until Ctrl-C: redrawn in place on a terminal, appended when piped (one JSON document per line with
 * --json). The exit code is that of the last complete reading.
 */
export const run: CommandRunner<StatusOptions> = async (globals, options) => {
  const session = await openSession(globals, { command: 'status', lock: false, readOnly: true });
  try {
    const env = engineEnv(session, stack, { wait: false, yes: false, readOnly: true, keepBucket: false });
    const out = process.stdout;
    const output: Output = {
      json: globals.json,
      verbose: globals.verbose,
      c: colors(globals.color && colorFor(out)),
    };
    if (out.isTTY && out.columns) output.columns = out.columns;
    const read = () => readStatus(env, { tracer: session.tracer });

    if (options.watch === undefined) {
      const report = await read();
      out.write(format(report, output, false));
      return statusExitCode(report, options.exitCode);
    }

    const redraw = Boolean(out.isTTY) && !globals.json;
    let code: number = ExitCode.interrupted;
    while (!session.signal.aborted) {
      const report = await read();
      // A reading cut short by Ctrl-C is incomplete: the last complete one stands.
      if (session.signal.aborted) break;
      const text = format(report, output, true);
      if (redraw) {
        out.write(`${REDRAW}${text}${output.c.dim(`every ${options.watch}s; Ctrl-C to stop`)}\n`);
      } else {
        out.write(globals.json ? text : `${text}\n`);
      }
      code = statusExitCode(report, options.exitCode);
      await sleep(options.watch * 1000, session.signal);
    }
    return code;
  } finally {
    await session.close();
  }
};
