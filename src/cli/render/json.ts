import type { EngineEvent } from '../../engine/events.js';
import { redactEvent } from './format.js';
import type { Output, Renderer } from './renderer.js';

/** `--json`: one JSON object per event on stdout; human notes go to stderr. */
export function jsonRenderer(stdout: Output, stderr: Output): Renderer {
  return {
    sink(event: EngineEvent) {
      stdout.write(`${JSON.stringify(redactEvent(event))}\n`);
    },
    note(text) {
      stderr.write(`${text}\n`);
    },
    close() {},
    suspend: (fn) => fn(),
  };
}
