import { functionName, shellQuote as q, walkCase } from './shell-case.js';
import { allCommands, type CommandSpec, type ValueKind, valueOptions } from './spec.js';

/**
 * The bash completion script. It finds the command typed so far by walking the words from the
 * program's name (skipping options and their values), then offers that command's subcommands,
 * options and the program's own options; after an option that takes a value, the value's choices or
 * file names.
 */
export function bashScript(program: CommandSpec, bin: string): string {
  const fn = functionName(bin);
  const commands = allCommands(program);
  const values = [...valueOptions(program)].map(([name, kind]) => `    ${name}) ${reply(kind)}; return ;;`);
  const globals = program.options.flatMap((o) => o.names);
  const words = [program, ...commands].map((c) => {
    const offered = [...c.commands.flatMap((s) => s.names), ...c.options.flatMap((o) => o.names)];
    if (c !== program) offered.push(...globals);
    const argument = c.argument?.kind === 'choice' ? c.argument.choices : [];
    const files = c.argument?.kind === 'file' ? ' files=1' : '';
    return `    ${q(c.path.join(' '))}) words=${q([...argument, ...offered].join(' '))}${files} ;;`;
  });
  return `# ${bin} completion for bash: \`source <(${bin} completion bash)\` in ~/.bashrc, or save it as
# ~/.local/share/bash-completion/completions/${bin}
${fn}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local at='' word i words='' files=''
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
${walkCase(program, 'COMP_WORDS')}
  done
  case $prev in
${values.join('\n')}
  esac
  case $at in
${words.join('\n')}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
  if [[ -n $files && $cur != -* ]]; then COMPREPLY+=($(compgen -f -- "$cur")); fi
}
complete -F ${fn} ${bin}
`;
}

function reply(kind: ValueKind): string {
  if (kind.kind === 'file') return 'COMPREPLY=($(compgen -f -- "$cur"))';
  if (kind.kind === 'choice') return `COMPREPLY=($(compgen -W ${q(kind.choices.join(' '))} -- "$cur"))`;
  return 'COMPREPLY=()';
}
