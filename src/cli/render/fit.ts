import cliTruncate from 'cli-truncate';

/**
 * Each line of `text` cut to a terminal's width with an ellipsis, measured as the terminal shows it
 * (colour codes take no column, wide characters two) rather than wrapped into the next line. One column
 * stays free: a terminal that writes into its last column may wrap there. Without a width (piped
 * output), whole lines, for grep and logs.
 */
export function fitToWidth(text: string, columns: number | undefined): string {
  if (!columns) return text;
  const width = Math.max(20, columns - 1);
  return text
    .split('\n')
    .map((line) => cliTruncate(line, width))
    .join('\n');
}
