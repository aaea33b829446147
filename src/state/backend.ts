import type { StateLock } from './lock.js';

/**
 * Where the state is kept: a local file, or an object in S3. The store parses and serializes; a
 * backend only moves the text, and makes each write conditional on what it read (a rename of a whole
 * file locally, `If-Match` on the ETag in S3), so a second writer is never silently overwritten.
 */
export interface StateBackend {
  /** How messages name the state: a path, or `s3://bucket/key`. */
  readonly location: string;
  /** What to do with a state that cannot be read (corrupt, another version). */
  readonly restoreHint: string;
  /** The state's text, or undefined when there is none yet. */
  read(): Promise<string | undefined>;
  /** Replace the state with `text`; refused when it changed since it was read or last written. */
  write(text: string): Promise<void>;
  /** Remove the state once everything is gone; the previous version stays as the last record. */
  remove(): Promise<void>;
  /** Take this stack's lock for `command`. */
  lock(command: string, onWarning: (message: string) => void): Promise<StateLock>;
}
