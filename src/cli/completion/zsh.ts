import { functionName, shellQuote as q, walkCase } from './shell-case.js';
import { allCommands, type CommandSpec, type ValueKind, valueOptions } from './spec.js';

/**
 * The zsh completion script: the same walk as bash's, with each command and option offered with its
 * description (`_describe`). Works from a folder in $fpath (as `_tekamolo`) and when sourced.
 */
export function zshScript(program: CommandSpec, bin: string): string {
  const fn = functionName(bin);
  const commands = allCommands(program);
  const values = [...valueOptions(program)].map(([name, kind]) => `    (${name}) ${reply(kind)}; return ;;`);
  const described = (name: string, description: string) => q(`${name.replaceAll(':', '\\:')}:${description}`);
  const globals = program.options.flatMap((o) => o.names.map((n) => described(n, o.description)));
  const items = [program, ...commands].map((c) => {
    const offered = [
      ...(c.argument?.kind === 'choice' ? c.argument.choices.map(q) : []),
      ...c.commands.flatMap((s) => s.names.map((n) => described(n, s.description))),
      ...c.options.flatMap((o) => o.names.map((n) => described(n, o.description))),
      ...(c === program ? [] : globals),
    ];
    const files = c.argument?.kind === 'file' ? ' files=1' : '';
    return `    (${q(c.path.join(' '))}) items=(${offered.join(' ')})${files} ;;`;
  });
  return `#compdef ${bin}
# ${bin} completion for zsh: save it as _${bin} in a folder of $fpath, or
# \`source <(${bin} completion zsh)\` in ~/.zshrc after compinit
${fn}() {
  local at='' word i files=''
  local -a items
  for ((i = 2; i < CURRENT; i++)); do
    word=\${words[i]}
${walkCase(program, 'words')}
  done
  case \${words[CURRENT-1]} in
${values.join('\n')}
  esac
  case $at in
${items.join('\n')}
  esac
  _describe -t values ${bin} items
  [[ -n $files ]] && _files
}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${bin}
fi
`;
}

function reply(kind: ValueKind): string {
  if (kind.kind === 'file') return '_files';
  if (kind.kind === 'choice') return `compadd -- ${kind.choices.map(q).join(' ')}`;
  return ':';
}
