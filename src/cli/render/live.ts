import cliTruncate from 'cli-truncate';
import stringWidth from 'string-width';
import type { PlanAction } from '../../engine/events.js';
import type { Colors } from './colors.js';
import { ACTION_VERB, describeEvent, formatMs } from './format.js';
import type { Renderer, Streams } from './renderer.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** At most 10 redraws a second: more only costs CPU and flickers on slow terminals. */
const FRAME_MS = 100;

interface Row {
  key: string;
  action: PlanAction;
  started: number;
  message?: string;
  waiting?: boolean;
}

/**
 * The terminal view: finished lines stay on top; below them one line per running resource with a
 * spinner, its elapsed time and what it is doing or waiting for, redrawn in place with ANSI codes.
 */
export function liveRenderer(
  { stdout, stderr: out }: Streams,
  c: Colors,
  verbose: boolean,
  now: () => number = Date.now,
): Renderer {
  const rows = new Map<string, Row>();
  let drawn = 0;
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  let paused = false;

  const clear = () => {
    if (drawn > 0) out.write(`\x1b[${drawn}A\x1b[0J`);
    drawn = 0;
  };
  // Some terminals (and pseudo-terminals) report no width: assume a common one. One column is left
  // free: a line that fills the last column makes some terminals wrap, and the redraw then goes wrong.
  const width = () => Math.max(20, (out.columns || 100) - 1);

  const draw = () => {
    if (paused) return;
    clear();
    const spinner = c.cyan(FRAMES[frame % FRAMES.length] ?? '-');
    const lines = [...rows.values()].map((row) => {
      // The elapsed time is what a long wait is judged by: the message is cut, never the time. Widths
      // are measured as the terminal shows them (colour codes take none, wide characters take two).
      const elapsed = ` ${formatMs(now() - row.started)}`;
      const head = `${spinner} ${row.key}: `;
      const room = width() - stringWidth(head) - elapsed.length;
      const what = row.message ?? ACTION_VERB[row.action];
      return (
        cliTruncate(`${head}${cliTruncate(what, Math.max(1, room))}`, width() - elapsed.length) +
        c.dim(elapsed)
      );
    });
    if (lines.length) out.write(`${lines.join('\n')}\n`);
    drawn = lines.length;
  };

  const schedule = () => {
    if (rows.size > 0 && !timer) {
      timer = setInterval(() => {
        frame++;
        draw();
      }, FRAME_MS);
      timer.unref();
    } else if (rows.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  const held: string[] = [];
  const permanent = (text: string) => {
    if (paused) {
      held.push(text);
      return;
    }
    clear();
    out.write(`${text}\n`);
    draw();
  };

  return {
    sink(event) {
      switch (event.code) {
        case 'resource-started':
          rows.set(event.key, {
            key: event.key,
            action: event.action,
            started: Date.parse(event.time) || now(),
          });
          break;
        case 'resource-progress': {
          const row = rows.get(event.key);
          if (row) Object.assign(row, { message: event.message, waiting: false });
          break;
        }
        case 'resource-waiting': {
          const row = rows.get(event.key);
          if (row) Object.assign(row, { message: event.message, waiting: true });
          break;
        }
        case 'resource-done':
        case 'resource-failed':
        case 'resource-skipped':
          rows.delete(event.key);
          break;
      }
      const keep =
        event.code !== 'resource-started' &&
        event.code !== 'resource-progress' &&
        event.code !== 'resource-waiting';
      const text = keep ? describeEvent(event, c, verbose) : undefined;
      if (text !== undefined) permanent(text);
      else draw();
      schedule();
    },
    note(text) {
      permanent(text);
    },
    result({ text }) {
      if (!text) return;
      clear();
      stdout.write(text);
      draw();
    },
    close() {
      if (timer) clearInterval(timer);
      timer = undefined;
      rows.clear();
      clear();
    },
    async suspend(fn) {
      clear();
      paused = true;
      try {
        return await fn();
      } finally {
        paused = false;
        for (const text of held.splice(0)) out.write(`${text}\n`);
        draw();
      }
    },
  };
}
