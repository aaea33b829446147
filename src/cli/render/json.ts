import { JSON_VERSION } from '../../output/message.js';
import { redactMessage } from './format.js';
import { errorText, type Renderer, type Streams } from './renderer.js';

/**
 * `--json`: stdout carries JSON only, every object with the contract's version (docs/json.md): one
 * line per message, and the command's result document. Human text (notes, the error in words) goes
 * to stderr.
 */
export function jsonRenderer({ stdout, stderr }: Streams): Renderer {
  const write = (value: Record<string, unknown>, compact: boolean) =>
    stdout.write(`${JSON.stringify({ version: JSON_VERSION, ...value }, null, compact ? undefined : 2)}\n`);
  return {
    sink(message) {
      write({ ...redactMessage(message) }, true);
      if (message.code === 'error') stderr.write(`${errorText(message)}\n`);
    },
    note(text) {
      stderr.write(`${text}\n`);
    },
    result({ text, document, compact }) {
      if (document) write(document, compact ?? false);
      else if (text) stderr.write(text);
    },
    close() {},
    suspend: (fn) => fn(),
  };
}
