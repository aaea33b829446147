import type { Argument, Command, Option } from 'commander';

/** What a value on the command line is: a file name, one of a list, or anything (nothing to offer). */
export type ValueKind = { kind: 'file' } | { kind: 'choice'; choices: readonly string[] } | { kind: 'any' };

export interface OptionSpec {
  /** `-c`, `--config`. */
  names: string[];
  description: string;
  /** Absent for a flag that takes no value. */
  value?: ValueKind;
}

export interface CommandSpec {
  /** The command's name, then its aliases (`up`, `deploy`). */
  names: string[];
  /** The names of the commands above it and its own: `['state', 'pull']`; `[]` for the program. */
  path: string[];
  description: string;
  /** Its own options; the program's (`--help` among them) apply to every command too. */
  options: OptionSpec[];
  /** The kind of its first positional argument, when it has one. */
  argument?: ValueKind;
  commands: CommandSpec[];
}

/** Values whose name says they are paths (`<file>`, `[file]`, `<path>`) complete as file names. */
const FILE_VALUE = /[<[](file|path)[>\]]/;

/**
 * The command tree as commander holds it, for completion scripts: every command, alias, option and
 * choice comes from the same definitions as the help, so a new option is completed without more code.
 */
export function specOf(command: Command, parent: string[] = []): CommandSpec {
  const help = command.createHelp();
  const path = command.parent ? [...parent, command.name()] : [];
  const [argument] = command.registeredArguments;
  const spec: CommandSpec = {
    names: [command.name(), ...command.aliases()],
    path,
    description: command.summary() || command.description(),
    // A command's help option is the program's again: offered once, with the program's options.
    options: help
      .visibleOptions(command)
      .filter((o) => !command.parent || o.long !== '--help')
      .map(optionSpec),
    commands: help
      .visibleCommands(command)
      .filter((c) => c.name() !== 'help')
      .map((c) => specOf(c, path)),
  };
  if (argument) spec.argument = valueKind(argument.argChoices, `<${argument.name()}>`);
  return spec;
}

function optionSpec(option: Option): OptionSpec {
  const names = [option.short, option.long].filter((n): n is string => n !== undefined);
  const spec: OptionSpec = { names, description: option.description };
  if (option.required || option.optional) spec.value = valueKind(option.argChoices, option.flags);
  return spec;
}

function valueKind(choices: Argument['argChoices'], flags: string): ValueKind {
  if (choices) return { kind: 'choice', choices };
  return FILE_VALUE.test(flags) ? { kind: 'file' } : { kind: 'any' };
}

/** Every command below `spec`, depth first. */
export function allCommands(spec: CommandSpec): CommandSpec[] {
  return spec.commands.flatMap((c) => [c, ...allCommands(c)]);
}

/** Every option that takes a value, by each of its names (the first definition of a name wins). */
export function valueOptions(spec: CommandSpec): Map<string, ValueKind> {
  const found = new Map<string, ValueKind>();
  for (const command of [spec, ...allCommands(spec)]) {
    for (const option of command.options) {
      for (const name of option.names) if (option.value && !found.has(name)) found.set(name, option.value);
    }
  }
  return found;
}
