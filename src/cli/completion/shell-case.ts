import { allCommands, type CommandSpec, valueOptions } from './spec.js';

/** What the bash and zsh scripts share: their quoting, and the `case` that finds the command typed. */

/** A word in single quotes: a quote inside closes, escapes and reopens them. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The script's function name: `_tekamolo`. */
export function functionName(bin: string): string {
  return `_${bin.replace(/\W/g, '_')}`;
}

/**
 * The loop body that walks the words typed before the cursor: options and their values are skipped,
 * and `$at` moves from the program (`''`) down to the command named (`'state pull'`, `'up'` for
 * `deploy`); other words (an argument) leave it where it is. The word is in `$word`, at index `i`
 * of the shell's array of words, `words`.
 */
export function walkCase(program: CommandSpec, words: string): string {
  const steps = allCommands(program).flatMap((c) =>
    c.names.map((name) => {
      const from = `${c.path.slice(0, -1).join(' ')}/${name}`;
      return `      (${shellQuote(from)}) at=${shellQuote(c.path.join(' '))} ;;`;
    }),
  );
  return `    [[ $word == -* ]] && continue
    case \${${words}[i-1]} in (${[...valueOptions(program).keys()].join('|')}) continue ;; esac
    case "$at/$word" in
${steps.join('\n')}
    esac`;
}
