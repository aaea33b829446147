import type { Names } from '../../config/names.js';
import type { RunResult } from '../../engine/run-summary.js';
import type { DistributionOutputs } from '../../resources/outputs.js';
import type { Colors } from './colors.js';
import { countsText, formatMs } from './format.js';

function failuresText(result: RunResult, c: Colors): string[] {
  const lines: string[] = [];
  for (const { key, failure } of result.failures) {
    lines.push(`  ${c.red('✗')} ${key}: ${failure.message}`);
    if (failure.hint) lines.push(`      → ${failure.hint}`);
  }
  return lines;
}

/** The last line of a run: what was done, how long it took, and the AWS calls made. */
function totalsLine(result: RunResult): string {
  return `${countsText(result.counts)} in ${formatMs(result.durationMs)}; ${result.awsCalls} AWS calls (${result.changingCalls} changing)`;
}

/** The closing lines of `up`: the URLs, the counts, the wall time and the AWS calls. */
export function upSummary(result: RunResult, names: Names, c: Colors): string {
  const lines: string[] = [''];
  if (result.interrupted) {
    lines.push(c.yellow('Interrupted: the state was saved; run `tekamolo up` again to resume.'));
  } else if (result.ok) {
    lines.push(c.green(c.bold('The stack is up.')));
    const distribution = result.outputs.get('distribution') as Partial<DistributionOutputs> | undefined;
    for (const name of names.siteNames) lines.push(`  https://${name}/`);
    if (distribution?.domainName) lines.push(c.dim(`  CloudFront: https://${distribution.domainName}/`));
    lines.push(c.dim(`  Origin: https://${names.originName}/ (CloudFront only)`));
    if (result.pending.length) {
      lines.push(
        c.yellow(
          `Not waited for (--no-wait): ${result.pending.join(', ')}; \`tekamolo status\` shows when it is ready.`,
        ),
      );
    }
  } else {
    lines.push(c.red(c.bold('The stack is not complete:')));
    lines.push(...failuresText(result, c));
    lines.push('Fix the cause and run `tekamolo up` again: it resumes where it stopped.');
  }
  lines.push(totalsLine(result));
  return `${lines.join('\n')}\n`;
}

/** The closing lines of `destroy`. */
export function destroySummary(result: RunResult, stack: string, c: Colors): string {
  const lines: string[] = [''];
  if (result.interrupted) {
    lines.push(c.yellow('Interrupted: the state was saved; run `tekamolo destroy` again to finish.'));
  } else if (result.pending.length) {
    lines.push(
      c.yellow(`Started deleting ${result.pending.join(', ')}; run \`tekamolo destroy\` again to finish.`),
    );
  } else if (result.ok) {
    lines.push(c.green(`Stack ${stack} is destroyed.`));
  } else {
    lines.push(c.red(c.bold('Some resources could not be deleted:')));
    lines.push(...failuresText(result, c));
    lines.push('Run `tekamolo destroy` again once the cause is fixed.');
  }
  lines.push(totalsLine(result));
  return `${lines.join('\n')}\n`;
}
