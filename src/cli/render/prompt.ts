import { createInterface } from 'node:readline/promises';
import type { CliIo } from '../io.js';

/** Whether the user can be asked: both stdin and stderr are a terminal. */
export function canPrompt(io: CliIo): boolean {
  return Boolean(io.stdin.isTTY && io.stderr.isTTY);
}

/** Ask one line on the terminal (question on stderr, so stdout stays clean). */
export async function ask(io: CliIo, question: string, signal?: AbortSignal): Promise<string> {
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: true });
  try {
    return (await rl.question(question, signal ? { signal } : {})).trim();
  } catch {
    return '';
  } finally {
    rl.close();
  }
}

/** y/N question on the terminal (callers check `canPrompt` first). */
export async function confirmOnTerminal(io: CliIo, question: string, signal?: AbortSignal): Promise<boolean> {
  const answer = await ask(io, `${question} [y/N] `, signal);
  return /^y(es)?$/i.test(answer);
}
