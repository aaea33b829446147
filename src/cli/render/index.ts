import { colorFor } from './color-for.js';
import { colors } from './colors.js';
import { jsonRenderer } from './json.js';
import { liveRenderer } from './live.js';
import { plainRenderer } from './plain.js';
import type { Renderer } from './renderer.js';

export type { Renderer } from './renderer.js';

export interface RendererOptions {
  json: boolean;
  color: boolean;
  verbose: boolean;
}

/** `--json` → JSON lines on stdout; a terminal on stderr → live view; otherwise plain lines. */
export function pickRenderer(options: RendererOptions): Renderer {
  const tty = Boolean(process.stderr.isTTY);
  const c = colors(options.color && colorFor(process.stderr));
  if (options.json) return jsonRenderer(process.stdout, process.stderr);
  if (tty && process.env.TERM !== 'dumb') return liveRenderer(process.stderr, c, options.verbose);
  return plainRenderer(process.stderr, c, options.verbose);
}
