import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionDocument } from '../../../src/output/json-schema.js';
import { type HelpPage, helpTree } from '../../support/help-tree.js';
import { expectDocument } from '../../support/json-contract.js';

/**
 * `tekamolo completion SHELL` of the built command line: each script is valid for its shell (where
 * that shell is installed), names every command and option the help shows, and completes as it should.
 */
const cli = resolve('bin/tekamolo.js');
const SHELLS = ['bash', 'zsh', 'fish'] as const;
const installed = (shell: string) => spawnSync(shell, ['-c', 'exit 0']).status === 0;

function tekamolo(args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('tekamolo completion (built CLI)', () => {
  let dir: string;
  let pages: HelpPage[];
  const scripts: Record<string, string> = {};
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tekamolo-completion-'));
    pages = await helpTree();
    for (const shell of SHELLS) {
      const run = tekamolo(['completion', shell]);
      expect(run.code).toBe(0);
      scripts[shell] = run.stdout;
      await writeFile(join(dir, shell), run.stdout);
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(SHELLS)('%s: names every command, alias and option of the help', (shell) => {
    const script = scripts[shell] as string;
    // fish names options without their dashes: -s c -l config.
    const written = (option: string) =>
      shell !== 'fish' ? option : option.startsWith('--') ? `-l ${option.slice(2)}` : `-s ${option.slice(1)}`;
    expect(pages.length).toBeGreaterThan(15);
    for (const page of pages) {
      for (const name of page.names) expect(script, page.path.join(' ')).toMatch(new RegExp(`\\b${name}\\b`));
      for (const option of page.options) expect(script, page.path.join(' ')).toContain(written(option));
    }
    for (const choice of ['plan status', 'bash zsh fish']) {
      expect(script.replace(/['\s]+/g, ' ')).toContain(choice);
    }
  });

  it.each(SHELLS)('%s: the script passes the shell’s syntax check', (shell) => {
    if (!installed(shell)) {
      console.warn(`${shell} is not installed: its completion script's syntax is not checked`);
      return;
    }
    const check = spawnSync(shell, ['-n', join(dir, shell)], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('bash: completes commands, subcommands, options, choices and files', () => {
    const complete = (...words: string[]) =>
      spawnSync(
        'bash',
        [
          '-c',
          `source ${join(dir, 'bash')}; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _tekamolo; echo "\${COMPREPLY[*]}"`,
          '_',
          'tekamolo',
          ...words,
        ],
        { cwd: dir, encoding: 'utf8' },
      ).stdout.trim();
    expect(complete('st')).toBe('status state');
    expect(complete('state', 'p')).toBe('pull push');
    expect(complete('-c', 'x.yaml', 'state', 'pull', '--sh')).toBe('--show-secrets');
    expect(complete('deploy', '--t')).toBe('--take-over --trace');
    expect(complete('policy', '--for', '')).toBe('plan status');
    expect(complete('completion', '')).toMatch(/^bash zsh fish /);
    expect(complete('--config', 'fi')).toBe('fish');
  });

  it('fish: completes where its command was typed', () => {
    if (!installed('fish')) {
      console.warn('fish is not installed: its completions are not tried');
      return;
    }
    const complete = (line: string) =>
      spawnSync('fish', ['-c', `source ${join(dir, 'fish')}; complete -C ${JSON.stringify(line)}`], {
        encoding: 'utf8',
      })
        .stdout.split('\n')
        .map((l) => l.split('\t')[0])
        .filter(Boolean);
    expect(complete('tekamolo policy --for ')).toEqual(['plan', 'status']);
    expect(complete('tekamolo state ')).toEqual(['history', 'pull', 'push']);
    expect(complete('tekamolo state pull --sh')).toEqual(['--show-secrets']);
  });

  it('an unknown shell is bad usage (exit 2) naming the three', () => {
    const run = tekamolo(['completion', 'tcsh']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Allowed choices are bash, zsh, fish');
    expect(run.stdout).toBe('');
  });

  it.each(SHELLS)('%s --json: stdout is the contract document, the script inside it', (shell) => {
    const run = tekamolo(['completion', shell, '--json']);
    expect(run.code).toBe(0);
    const document = expectDocument(run.stdout, completionDocument);
    expect(document.shell).toBe(shell);
    expect(document.script).toBe(scripts[shell]);
  });
});
