import type { EngineEvent } from '../../engine/events.js';
import type { Colors } from './colors.js';
import { describeEvent } from './format.js';
import type { Output, Renderer } from './renderer.js';

/** Timestamped lines, one per event, for logs and pipes (no cursor movement). */
export function plainRenderer(out: Output, c: Colors, verbose: boolean): Renderer {
  const line = (time: string, text: string) => {
    const stamp = c.dim(time.slice(11, 19));
    out.write(`${stamp} ${text.replaceAll('\n', `\n${' '.repeat(9)}`)}\n`);
  };
  return {
    sink(event: EngineEvent) {
      const text = describeEvent(event, c, verbose);
      if (text !== undefined) line(event.time, text);
    },
    note(text) {
      out.write(`${text}\n`);
    },
    close() {},
  };
}
