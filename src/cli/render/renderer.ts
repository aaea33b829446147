import type { EventSink } from '../../engine/events.js';

/** Where the engine's events go: one of the three renderers. */
export interface Renderer {
  sink: EventSink;
  /** A line of human text outside the event stream (stderr; kept above a live view). */
  note(line: string): void;
  /** Final redraw; stop timers. */
  close(): void;
  /** Run `fn` (a question on the terminal) with the live view cleared and its redraws paused. */
  suspend<T>(fn: () => Promise<T>): Promise<T>;
}

/** The part of a stream a renderer needs (process.stderr, or a buffer in tests). */
export interface Output {
  write(text: string): unknown;
  columns?: number;
}
