import type { Command } from 'commander';
import { JSON_VERSION } from '../../output/message.js';
import { bashScript } from '../completion/bash.js';
import { fishScript } from '../completion/fish.js';
import { specOf } from '../completion/spec.js';
import { zshScript } from '../completion/zsh.js';

export type Shell = 'bash' | 'zsh' | 'fish';

const SCRIPTS = { bash: bashScript, zsh: zshScript, fish: fishScript };

/** `tekamolo completion SHELL`: the completion script, from the command tree commander holds. */
export function completionScript(shell: Shell, program: Command): string {
  return SCRIPTS[shell](specOf(program), program.name());
}

/** `completion --json`: the script inside the JSON contract's document, so that stdout is JSON only. */
export function completionDocument(shell: Shell, program: Command) {
  const script = completionScript(shell, program);
  return {
    version: JSON_VERSION,
    command: 'completion',
    ok: true,
    shell,
    script,
    awsCalls: { total: 0, changing: 0 },
  };
}
