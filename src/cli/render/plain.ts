import type { Colors } from './colors.js';
import { describeEvent } from './format.js';
import { type AnyMessage, errorText, type Renderer, type Streams } from './renderer.js';

/** A wait that keeps saying the same thing is repeated at most this often in a log. */
const WAIT_REPEAT_MS = 30_000;

/**
 * Timestamped lines, one per event, for logs and pipes (no cursor movement). A long wait polls many
 * times: its line is printed when its status changes, else every 30 s.
 */
export function plainRenderer({ stdout, stderr: out }: Streams, c: Colors, verbose: boolean): Renderer {
  const lastWait = new Map<string, { message: string; at: number }>();
  const quiet = (event: AnyMessage): boolean => {
    if (event.code !== 'resource-waiting') return false;
    const at = Date.parse(event.time);
    const last = lastWait.get(event.key);
    if (last && last.message === event.message && at - last.at < WAIT_REPEAT_MS) return true;
    lastWait.set(event.key, { message: event.message, at });
    return false;
  };
  const line = (time: string, text: string) => {
    const stamp = c.dim(time.slice(11, 19));
    out.write(`${stamp} ${text.replaceAll('\n', `\n${' '.repeat(9)}`)}\n`);
  };
  return {
    sink(event) {
      // The error a command ends with reads as a sentence, as on a terminal: no time stamp.
      if (event.code === 'error') return void out.write(`${errorText(event)}\n`);
      if (quiet(event)) return;
      const text = describeEvent(event, c, verbose);
      if (text !== undefined) line(event.time, text);
    },
    note(text) {
      out.write(`${text}\n`);
    },
    result({ text }) {
      if (text) stdout.write(text);
    },
    close() {},
    suspend: (fn) => fn(),
  };
}
