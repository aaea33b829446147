import { formatIssue } from '../../config/issues.js';
import { checkConfigFile } from '../../config/load.js';
import { ExitCode } from '../../errors.js';
import type { CommandRunner } from '../options.js';
import { pickRenderer } from '../render/index.js';

/**
 * `tekamolo validate`: the config checked offline. It imports nothing of the AWS SDK, so it is as quick
 * as reading one YAML file, and it can run where there are no credentials (an editor, a pre-commit hook).
 */
export const run: CommandRunner<Record<string, never>> = async (globals) => {
  const check = await checkConfigFile(globals.config, globals.stage);
  const { config } = check;
  const renderer = pickRenderer(globals, globals.io);
  // With --json the warnings are in the document: on stderr they are words for whoever watches.
  for (const warning of check.warnings) renderer.note(`warning: ${formatIssue(warning)}`);
  const document = {
    command: 'validate',
    ok: config !== undefined,
    file: check.file,
    issues: check.issues,
    warnings: check.warnings,
    awsCalls: { total: 0, changing: 0 },
  };
  if (config) {
    const text = `✓ ${check.displayFile} is valid (stack ${config.stack}, region ${config.region})\n`;
    renderer.result({ text, document });
    return ExitCode.ok;
  }
  // The problems are errors: on stderr, whatever the output; the document (with --json) on stdout.
  const count = check.issues.length === 1 ? '1 problem' : `${check.issues.length} problems`;
  renderer.note(`${check.issues.map(formatIssue).join('\n')}\n✗ ${check.displayFile}: ${count}`);
  renderer.result({ text: '', document });
  return ExitCode.badInput;
};
