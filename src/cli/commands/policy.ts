import { loadConfig } from '../../config/load.js';
import { ExitCode } from '../../errors.js';
import { JSON_VERSION } from '../../output/message.js';
import { buildPolicy, iamSize, MANAGED_POLICY_LIMIT, type PolicyUse } from '../../policy/document.js';
import type { CommandRunner, PolicyOptions } from '../options.js';

/**
 * `tekamolo policy`: the IAM policy this config needs, on stdout as the document
 * `aws iam create-policy --policy-document` takes (with `--json`, inside the JSON contract's document:
 * `jq .policy` gives it back). Offline: no credentials needed to print it.
 */
export const run: CommandRunner<PolicyOptions> = async (globals, options) => {
  const { config, names } = await loadConfig(globals.config);
  const use: PolicyUse = options.for ?? 'all';
  const { document, reasons } = buildPolicy(config, names, use);
  const size = iamSize(document);
  if (globals.json) {
    const result = {
      version: JSON_VERSION,
      command: 'policy',
      ok: true,
      stack: config.stack,
      region: config.region,
      for: use,
      policy: document,
      reasons,
      characters: size,
      managedPolicyLimit: MANAGED_POLICY_LIMIT,
      awsCalls: { total: 0, changing: 0 },
    };
    globals.io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    globals.io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    // IAM documents have no comments: why a statement is wider than this stack goes beside it.
    const lines = Object.entries(reasons).map(([sid, reason]) => `  ${sid}: ${reason}`);
    const what = use === 'all' ? 'every command' : `\`${use}\` (read-only)`;
    globals.io.stderr.write(
      `IAM policy for stack ${config.stack} in ${config.region}, for ${what}.\n` +
        `Statements IAM cannot narrow to this stack, and why:\n${lines.join('\n')}\n`,
    );
  }
  if (size > MANAGED_POLICY_LIMIT) {
    globals.io.stderr.write(
      `warning: the policy has ${size} characters, more than the ${MANAGED_POLICY_LIMIT} IAM allows a ` +
        'managed policy (long names, many aliases): attach it to a role as an inline policy (up to ' +
        '10,240 characters for all of its inline policies) instead of `aws iam create-policy`\n',
    );
  }
  return ExitCode.ok;
};
