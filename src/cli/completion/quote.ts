/** A word in single quotes for bash and zsh: a quote inside closes, escapes and reopens them. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
