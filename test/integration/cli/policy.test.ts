import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policyDocument } from '../../../src/output/json-schema.js';
import { expectDocument } from '../../support/json-contract.js';

/** `tekamolo policy` as a user runs it: a document `python3 -m json.tool` and IAM accept, offline. */
const root = resolve('.');
const cli = join(root, 'bin/tekamolo.js');

function tekamolo(args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    encoding: 'utf8',
    // No credentials and no endpoint: printing the policy must not need AWS.
    env: { PATH: process.env.PATH, NO_COLOR: '1', AWS_EC2_METADATA_DISABLED: 'true' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface Statement {
  Sid: string;
  Action: string[];
  Resource: string[];
}

describe('tekamolo policy (built CLI)', () => {
  it('prints a JSON policy document that python3 -m json.tool accepts, with the reasons on stderr', () => {
    const run = tekamolo(['policy', '-c', 'config.example.yaml']);
    expect(run.code).toBe(0);
    const tool = spawnSync('python3', ['-m', 'json.tool'], { input: run.stdout, encoding: 'utf8' });
    expect(tool.status, tool.stderr).toBe(0);
    const document = JSON.parse(run.stdout) as { Version: string; Statement: Statement[] };
    expect(document.Version).toBe('2012-10-17');
    const actions = document.Statement.flatMap((s) => s.Action);
    expect(actions).toEqual(expect.arrayContaining(['cloudfront:CreateDistribution', 's3:PutObject']));
    for (const sid of ['Anywhere', 'Recognise', 'Ec2Launch']) {
      expect(document.Statement.map((s) => s.Sid)).toContain(sid);
      expect(run.stderr).toMatch(new RegExp(`^  ${sid}: \\S`, 'm'));
    }
  });

  it('--for status prints only read actions', () => {
    const run = tekamolo(['policy', '--for', 'status', '-c', 'config.example.yaml']);
    expect(run.code).toBe(0);
    const document = JSON.parse(run.stdout) as { Statement: Statement[] };
    const actions = document.Statement.flatMap((s) => s.Action);
    expect(actions.length).toBeGreaterThan(10);
    expect(actions.filter((a) => !/:(Get|List|Describe)/.test(a))).toEqual([]);
  });

  it('an unknown --for is bad input: exit 2 and no document', () => {
    const run = tekamolo(['policy', '--for', 'up', '-c', 'config.example.yaml']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain("argument 'up' is invalid");
  });

  it('--json writes only the contract document on stdout, the policy and the reasons inside it', () => {
    const plain = tekamolo(['policy', '--for', 'plan', '-c', 'config.example.yaml']);
    const run = tekamolo(['policy', '--for', 'plan', '--json', '-c', 'config.example.yaml']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const document = expectDocument(run.stdout, policyDocument);
    expect(document.for).toBe('plan');
    expect(document.policy).toEqual(JSON.parse(plain.stdout));
    expect(Object.keys(document.reasons).length).toBeGreaterThan(0);
    for (const sid of Object.keys(document.reasons)) {
      expect(plain.stderr).toContain(`  ${sid}: ${document.reasons[sid]}`);
    }
    expect(document.characters).toBeLessThanOrEqual(document.managedPolicyLimit);
  });
});
