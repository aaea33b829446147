import { allCommands, type CommandSpec, type OptionSpec } from './spec.js';

/**
 * The fish completion script: one `complete` line per command, option and choice, each offered where
 * its command has been typed (`__fish_seen_subcommand_from`); file names only where a value is a file.
 */
export function fishScript(program: CommandSpec, bin: string): string {
  const lines = [
    `# ${bin} completion for fish: save it as ~/.config/fish/completions/${bin}.fish`,
    `complete -c ${bin} -f`,
    ...program.options.map((o) => option(bin, o, '')),
  ];
  for (const command of [program, ...allCommands(program)]) {
    const here = where(program, command);
    const subcommands = command.commands.flatMap((c) => c.names);
    const before =
      subcommands.length > 0
        ? `${here ? `${here}; and ` : ''}not __fish_seen_subcommand_from ${subcommands.join(' ')}`
        : here;
    for (const sub of command.commands) {
      for (const name of sub.names) {
        lines.push(
          `complete -c ${bin} -n ${fq(before || '__fish_use_subcommand')} -a ${name} -d ${fq(sub.description)}`,
        );
      }
    }
    if (command === program) continue;
    for (const o of command.options) lines.push(option(bin, o, here));
    const argument = command.argument;
    if (argument?.kind === 'choice') {
      lines.push(`complete -c ${bin} -n ${fq(before)} -a ${fq(argument.choices.join(' '))}`);
    } else if (argument?.kind === 'file') {
      lines.push(`complete -c ${bin} -n ${fq(before)} -F`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The condition under which a command's words apply: each name on its path has been typed. */
function where(program: CommandSpec, command: CommandSpec): string {
  let level = program;
  const tests: string[] = [];
  for (const name of command.path) {
    const next = level.commands.find((c) => c.names[0] === name);
    if (!next) break;
    tests.push(`__fish_seen_subcommand_from ${next.names.join(' ')}`);
    level = next;
  }
  return tests.join('; and ');
}

function option(bin: string, o: OptionSpec, condition: string): string {
  const parts = [`complete -c ${bin}`];
  if (condition) parts.push(`-n ${fq(condition)}`);
  for (const name of o.names)
    parts.push(name.startsWith('--') ? `-l ${name.slice(2)}` : `-s ${name.slice(1)}`);
  if (o.value?.kind === 'file') parts.push('-r -F');
  else if (o.value?.kind === 'choice') parts.push(`-x -a ${fq(o.value.choices.join(' '))}`);
  else if (o.value) parts.push('-x');
  parts.push(`-d ${fq(o.description)}`);
  return parts.join(' ');
}

/** A word in fish's single quotes, where only \ and ' are escaped. */
function fq(text: string): string {
  return `'${text.replace(/[\\']/g, '\\$&')}'`;
}
