import { colorFor } from './color-for.js';
import { colors } from './colors.js';
import { jsonRenderer } from './json.js';
import { liveRenderer } from './live.js';
import { plainRenderer } from './plain.js';
import type { Renderer, Streams } from './renderer.js';
import { syncRenderer } from './sync-progress.js';

export type { Renderer } from './renderer.js';

export interface RendererOptions {
  json: boolean;
  color: boolean;
  verbose: boolean;
  /** What the human view draws: resources being worked on (default) or a transfer (sync-frontend). */
  view?: 'resources' | 'transfer';
}

/**
 * `--json` → JSON on stdout; a terminal on stderr → live view; otherwise plain lines. Results go to
 * stdout, progress, warnings and errors to stderr, whichever is picked.
 */
export function pickRenderer(options: RendererOptions, streams: Streams): Renderer {
  if (options.json) return jsonRenderer(streams);
  const live = Boolean(streams.stderr.isTTY) && process.env.TERM !== 'dumb';
  const c = colors(options.color && colorFor(streams.stderr));
  if (options.view === 'transfer') {
    return syncRenderer({ mode: live ? 'live' : 'plain', ...streams, colors: c, verbose: options.verbose });
  }
  if (live) return liveRenderer(streams, c, options.verbose);
  return plainRenderer(streams, c, options.verbose);
}

/**
 * Colours for a command's result text: it goes to stdout, or to stderr with --json, and is coloured
 * only when that stream is a terminal (`color` already says whether stderr is one).
 */
export function resultColors(options: Pick<RendererOptions, 'json' | 'color'>, streams: Streams) {
  return colors(options.color && (options.json || colorFor(streams.stdout)));
}
