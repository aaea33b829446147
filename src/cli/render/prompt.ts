import { createInterface } from 'node:readline/promises';

/** Whether the user can be asked: both stdin and stderr are a terminal. */
export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

/** Ask one line on the terminal (question on stderr, so stdout stays clean). */
export async function ask(question: string, signal?: AbortSignal): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return (await rl.question(question, signal ? { signal } : {})).trim();
  } catch {
    return '';
  } finally {
    rl.close();
  }
}

/** y/N question on the terminal (callers check `canPrompt` first). */
export async function confirmOnTerminal(question: string, signal?: AbortSignal): Promise<boolean> {
  const answer = await ask(`${question} [y/N] `, signal);
  return /^y(es)?$/i.test(answer);
}
