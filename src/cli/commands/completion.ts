import type { Command } from 'commander';
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
