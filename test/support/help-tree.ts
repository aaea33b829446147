import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

/** One command as its `--help` shows it. */
export interface HelpPage {
  /** `[]` for the program, `['state', 'pull']` for a subcommand. */
  path: string[];
  /** The command's name and aliases, as its parent's help lists them. */
  names: string[];
  /** Every option name in its "Options:" section (`-c`, `--config`, …). */
  options: string[];
  text: string;
}

const cli = resolve('bin/tekamolo.js');

/** `tekamolo … --help` of the built command line, piped, with the environment given. */
export async function helpOf(path: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [cli, ...path, '--help'], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  return stdout;
}

/** The items of one section of a help page: the term of each line indented by exactly two spaces. */
function section(text: string, title: string): string[] {
  const body = text.split(`\n${title}:\n`)[1]?.split('\n\n')[0] ?? '';
  return body
    .split('\n')
    .filter((line) => /^ {2}\S/.test(line))
    .map((line) => line.trim().split(/ {2,}/)[0] as string);
}

/**
 * Every page of the command tree, found the way a user finds it: each help page's "Commands:"
 * section leads to the next pages (commander's own `help` command left out).
 */
export async function helpTree(
  env: Record<string, string> = {},
  path: string[] = [],
  names: string[] = [],
): Promise<HelpPage[]> {
  const text = await helpOf(path, env);
  const options = section(text, 'Options').flatMap((term) => term.match(/--?[\w-]+/g) ?? []);
  const page: HelpPage = { path, names, options, text };
  const children = section(text, 'Commands')
    .map((term) => (term.split(' ')[0] as string).split('|'))
    .filter(([name]) => name !== 'help');
  // Sibling pages at once: each is a process start, and they do not depend on each other.
  const below = await Promise.all(children.map((n) => helpTree(env, [...path, n[0] as string], n)));
  return [page, ...below.flat()];
}
