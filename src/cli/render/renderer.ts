import type { AwsCalls } from '../../aws/trace.js';
import type { EngineEvent } from '../../engine/events.js';
import { ExitCode } from '../../errors.js';
import { type Message, stamp } from '../../output/message.js';
import type { SyncEvent } from '../../sync/events.js';

/** The error a command ends with: its final message when it fails before (or instead of) a result. */
export type ErrorPayload = {
  code: 'error';
  ok: false;
  error: string;
  hint?: string;
  exitCode: number;
  awsCalls: AwsCalls;
};

export function errorEvent(payload: Omit<ErrorPayload, 'code' | 'ok'>): Message<ErrorPayload> {
  return stamp<ErrorPayload>({ code: 'error', ok: false, ...payload }, { error: 'error' });
}

/** Every message of the one output channel: the engine's, sync's and the error a command ends with. */
export type AnyMessage = EngineEvent | SyncEvent | Message<ErrorPayload>;

/**
 * A command's result. With --json the document (when the command has one) is its stdout; without,
 * the text is. Commands whose JSON is a stream of events (up, destroy) have only text: their final
 * event already went out, and with --json the text goes to stderr.
 */
export interface Result {
  /** Empty: nothing to print without --json. */
  text: string;
  document?: Record<string, unknown>;
  /** One line per document (status --watch prints one per reading). */
  compact?: boolean;
}

/**
 * Where everything a command says goes: the only writer to stdout and stderr. One of three: a live
 * view on a terminal, plain lines when piped, JSON with --json.
 */
export interface Renderer {
  sink(message: AnyMessage): void;
  /** A line of human text outside the message stream (stderr; kept above a live view). */
  note(line: string): void;
  /** The command's result: stdout (see Result). */
  result(result: Result): void;
  /** Final redraw; stop timers. */
  close(): void;
  /** Run `fn` (a question on the terminal) with the live view cleared and its redraws paused. */
  suspend<T>(fn: () => Promise<T>): Promise<T>;
}

/** The part of a stream a renderer needs (process.stderr, or a buffer in tests). */
export interface Output {
  write(text: string): unknown;
  columns?: number;
  isTTY?: boolean;
}

/** stdout and stderr, as a renderer writes them. */
export interface Streams {
  stdout: Output;
  stderr: Output;
}

/** What a human renderer prints for an error: `error: …` and the hint on the next line. */
export function errorText(message: Message<ErrorPayload>): string {
  const prefix = message.exitCode === ExitCode.interrupted ? '' : 'error: ';
  return `${prefix}${message.error}${message.hint ? `\n  → ${message.hint}` : ''}`;
}
