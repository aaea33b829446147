import type { CostEstimate } from '../../cost/estimate.js';
import type { Colors } from './colors.js';

const money = (value: number) => `$${value.toFixed(2)}`;

/**
 * The cost at rest for people, under a plan or the outputs:
 * `Estimated cost at rest: $72.53/month (eu-central-1 on-demand prices, 2025-06)`, one line per
 * item, then what is priced by use.
 */
export function renderCost(cost: CostEstimate, c: Colors): string {
  const source = `${cost.region} on-demand prices, ${cost.pricesAsOf}`;
  if (cost.items.length === 0) {
    const [first = '', ...more] = wrapWords(
      `Estimated cost at rest: ${cost.note ?? 'none'}`.split(' '),
      WRAP_AT,
    );
    return `${[first, ...more.map((line) => `  ${line}`)].join('\n')}\n`;
  }
  const total = cost.monthly === null ? 'no total' : `${money(cost.monthly)}/month`;
  const lines = [c.bold(`Estimated cost at rest: ${total} (${source})`)];
  const width = Math.max(...cost.items.map((item) => item.name.length));
  for (const item of cost.items) {
    const figure = item.monthly === null ? '?' : money(item.monthly);
    const head = `  ${item.name.padEnd(width)}  ${figure.padStart(7)}`;
    // A terminal cuts a long line: the detail goes below when the two do not fit together.
    if (head.length + 2 + item.detail.length <= COLUMNS) lines.push(`${head}  ${c.dim(item.detail)}`);
    else lines.push(head, c.dim(`    ${item.detail}`));
  }
  if (cost.note) lines.push(`  ${cost.note}`);
  lines.push(c.dim('  not included, priced by use:'));
  for (const line of wrap(cost.usagePriced, WRAP_AT)) lines.push(c.dim(`    ${line}`));
  return `${lines.join('\n')}\n`;
}

/** Lines fit an 80-column terminal, which cuts longer ones instead of wrapping them. */
const COLUMNS = 80;
const WRAP_AT = COLUMNS - 4;

/** The parts joined by ", " into lines of at most `width` characters (a longer part stands alone). */
function wrap(parts: string[], width: number): string[] {
  return wrapWords(
    parts.map((part, index) => (index < parts.length - 1 ? `${part},` : part)),
    width,
  );
}

/** The words joined by spaces into lines of at most `width` characters (a longer word stands alone). */
function wrapWords(words: string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
