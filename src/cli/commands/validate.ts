import { formatIssue } from '../../config/issues.js';
import { checkConfigFile } from '../../config/load.js';
import { ExitCode } from '../../errors.js';
import type { CommandRunner } from '../options.js';

/**
 * `tekamolo validate`: the config checked offline. It imports nothing of the AWS SDK, so it is as quick
 * as reading one YAML file, and it can run where there are no credentials (an editor, a pre-commit hook).
 */
export const run: CommandRunner<Record<string, never>> = async (globals) => {
  const check = await checkConfigFile(globals.config, globals.stage);
  const { config } = check;
  const valid = config !== undefined;
  if (globals.json) {
    const document = { valid, file: check.file, issues: check.issues, warnings: check.warnings };
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  }
  for (const warning of check.warnings) process.stderr.write(`warning: ${formatIssue(warning)}\n`);
  if (config) {
    process.stderr.write(
      `✓ ${check.displayFile} is valid (stack ${config.stack}, region ${config.region})\n`,
    );
    return ExitCode.ok;
  }
  const count = check.issues.length === 1 ? '1 problem' : `${check.issues.length} problems`;
  const lines = check.issues.map(formatIssue);
  process.stderr.write(`${lines.join('\n')}\n✗ ${check.displayFile}: ${count}\n`);
  return ExitCode.badInput;
};
