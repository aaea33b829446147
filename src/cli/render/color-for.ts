/**
 * Whether a stream gets colour, `--no-color` and NO_COLOR aside: FORCE_COLOR (as other tools read it:
 * `0` or `false` is off, anything else on) wins over terminal detection, for CI logs that show colour.
 */
export function colorFor(stream: { isTTY?: boolean }): boolean {
  const force = process.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return Boolean(stream.isTTY);
}
