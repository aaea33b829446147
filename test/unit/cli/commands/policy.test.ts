import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run as policy } from '../../../../src/cli/commands/policy.js';
import { ExitCode } from '../../../../src/errors.js';
import { policyDocument } from '../../../../src/output/json-schema.js';
import type { PolicyDocument } from '../../../../src/policy/document.js';
import { runCommand } from '../../../support/command.js';
import { expectDocument } from '../../../support/json-contract.js';

/** `tekamolo policy`: offline, the IAM document on stdout and the reasons beside it on stderr. */
describe('policy', () => {
  let dir: string;
  let config: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tekamolo-policy-'));
    config = join(dir, 'tekamolo.yaml');
    await writeFile(config, ['stack: acme', 'region: eu-central-1', 'domain: example.com'].join('\n'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the document IAM takes on stdout and why some statements are wide on stderr', async () => {
    const run = await runCommand(policy, { config }, {});
    expect(run.code, run.stderr).toBe(ExitCode.ok);
    const document = JSON.parse(run.stdout) as PolicyDocument;
    expect(document.Version).toBe('2012-10-17');
    expect(document.Statement.length).toBeGreaterThan(0);
    expect(run.stderr).toContain('IAM policy for stack acme in eu-central-1, for every command.');
    expect(run.stderr).toContain('Statements IAM cannot narrow to this stack, and why:');
  });

  it('--for status is read-only; with --json the document of the contract and stderr quiet', async () => {
    const run = await runCommand(policy, { config, json: true }, { for: 'status' });
    expect(run.code).toBe(ExitCode.ok);
    const document = expectDocument(run.stdout, policyDocument);
    expect(document).toMatchObject({ command: 'policy', stack: 'acme', for: 'status' });
    const actions = document.policy.Statement.flatMap((s) => s.Action);
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a) => !/^[a-z0-9-]+:(Get|List|Describe|Head)/.test(a))).toEqual([]);
    expect(run.stderr).toBe('');
  });
});
