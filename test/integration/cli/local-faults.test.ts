import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { validateDocument } from '../../../src/output/json-schema.js';
import { JSON_VERSION } from '../../../src/output/message.js';
import { type CliRun, runCli } from '../../support/e2e.js';
import { expectDocument, expectEventLines } from '../../support/json-contract.js';
import { shortRetries } from '../../support/short-retries.js';

/**
 * Local faults as a user meets them, through the command line run in this process (runCli: the
 * binary's own entry, with the project's folder and environment): a hostile config, a trace path or
 * state path that cannot be used, a damaged lock file, numbers beyond what a timer can hold, no command
 * at all. Each is bad input: exit 2 with a sentence that names the file and what to do. AWS_ENDPOINT_URL
 * points where nothing listens, so a command that called AWS before finding the fault would end with
 * "could not reach AWS" instead of the message expected here. The built binary's own exit codes and
 * streams are tested in binary.test.ts.
 */
const root = resolve('.');
const USAGE =
  '  → fix the fields above (config.example.yaml documents every field); `tekamolo validate` checks again\n';
const CONFIG = 'stack: demo\nregion: eu-central-1\ndomain: example.com\n';

let base: string;
let dir: string;

function envFor(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'eu-central-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    NO_COLOR: '1',
  };
}

/**
 * The command line run in `cwd` (the project folder by default), to its end. The one run that gets
 * past its local checks meets an unreachable endpoint: the SDK's retries of it are kept short.
 */
function tekamolo(args: string[], cwd = dir): Promise<CliRun> {
  return runCli(args, { env: envFor(cwd), cwd, retryStrategy: shortRetries });
}

/** `error: <message>` and its hint, as reportError prints them. */
const failure = (message: string, hint: string) => `error: ${message}\n  → ${hint}\n`;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'tekamolo-faults-'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});
beforeEach(async () => {
  dir = await mkdtemp(join(base, 'project-'));
  await writeFile(join(dir, 'tekamolo.yaml'), CONFIG);
});

describe('usage', () => {
  it('no command prints the usage on stderr and exits 2', async () => {
    const run = await tekamolo([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^Usage: tekamolo \[options\] \[command\]\n/);
    expect(run.stderr).toContain('validate ');
  });

  it('status --watch beyond what a timer can hold is refused, not clamped', async () => {
    const run = await tekamolo(['status', '--watch', '3000000']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "error: option '--watch [seconds]' argument '3000000' is invalid. expected a number of seconds ≤ 2147483 (the longest delay Node's timers can hold, about 24 days)\n" +
        '(run with --help for usage)\n',
    );
  });

  it('sync-frontend --concurrency beyond its limit is refused, not clamped', async () => {
    const run = await tekamolo(['sync-frontend', '--concurrency', '1000']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "error: option '--concurrency <n>' argument '1000' is invalid. expected a whole number ≤ 256 (each upload holds a file and a connection open)\n" +
        '(run with --help for usage)\n',
    );
  });
});

describe('config', () => {
  const bomb = 'test/fixtures/config/bad/alias-bomb.yaml';
  const bombIssue =
    'malformed YAML: aliases here expand to more than 1000 values (aliases of aliases multiply); write the values out instead';

  it('a YAML alias bomb is a config error at its line, exit 2, in validate and in a command', async () => {
    const validate = await tekamolo(['validate', '-c', bomb], root);
    expect(validate.code).toBe(2);
    expect(validate.stderr).toBe(`${bomb}:7:10  ${bombIssue}\n✗ ${bomb}: 1 problem\n`);
    const plan = await tekamolo(['plan', '-c', bomb], root);
    expect(plan.code).toBe(2);
    expect(plan.stderr).toBe(`error: ${bomb} has 1 problem:\n  ${bomb}:7:10  ${bombIssue}\n${USAGE}`);
  });

  it('validate --json prints the validate document for an alias bomb', async () => {
    const run = await tekamolo(['validate', '--json', '-c', bomb], root);
    expect(run.code).toBe(2);
    expect(expectDocument(run.stdout, validateDocument)).toEqual({
      version: JSON_VERSION,
      command: 'validate',
      ok: false,
      file: join(root, bomb),
      issues: [{ file: bomb, line: 7, column: 10, path: '', message: bombIssue }],
      warnings: [],
      awsCalls: { total: 0, changing: 0 },
    });
  });

  it('waits beyond what a timer can hold are config errors at their line', async () => {
    await writeFile(
      join(dir, 'tekamolo.yaml'),
      `${CONFIG}waits:\n  pollSeconds: 3000000\n  certificateMinutes: 40000\n`,
    );
    const run = await tekamolo(['status']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'error: tekamolo.yaml has 2 problems:\n' +
        "  tekamolo.yaml:5:16  waits.pollSeconds: found 3000000, expected a number of seconds ≤ 2147483 (the longest delay Node's timers can hold, about 24 days)\n" +
        "  tekamolo.yaml:6:23  waits.certificateMinutes: found 40000, expected a number of minutes ≤ 35791 (the longest delay Node's timers can hold, about 24 days)\n" +
        USAGE,
    );
  });

  it('validate warns, with file:line, about SSH open to the world and an app on the SSH port', async () => {
    await writeFile(
      join(dir, 'tekamolo.yaml'),
      `${CONFIG}backend:\n  port: 22\n  sshCidrs: [203.0.113.10/32, 0.0.0.0/0, "::/0"]\n`,
    );
    const run = await tekamolo(['validate']);
    expect(run.code).toBe(0);
    const world = (cidr: string) =>
      `${cidr} opens SSH (port 22) to the whole internet; list only the addresses that need it, or leave sshCidrs empty and connect with Session Manager`;
    expect(run.stderr).toBe(
      'warning: tekamolo.yaml:5:9  backend.port: 22 is also the SSH port that sshCidrs opens: the load balancer would send requests to the SSH server; use another port for the app, such as 8080\n' +
        `warning: tekamolo.yaml:6:31  backend.sshCidrs[1]: ${world('0.0.0.0/0')}\n` +
        `warning: tekamolo.yaml:6:42  backend.sshCidrs[2]: ${world('::/0')}\n`,
    );
    expect(run.stdout).toBe('✓ tekamolo.yaml is valid (stack demo, region eu-central-1)\n');
    const json = await tekamolo(['validate', '--json']);
    const document = expectDocument(json.stdout, validateDocument);
    expect(document.ok).toBe(true);
    expect(document.warnings.map((w) => [w.path, w.line])).toEqual([
      ['backend.port', 5],
      ['backend.sshCidrs[1]', 6],
      ['backend.sshCidrs[2]', 6],
    ]);
  });

  it('a safe SSH setting gives no warning', async () => {
    await writeFile(join(dir, 'tekamolo.yaml'), `${CONFIG}backend:\n  sshCidrs: [203.0.113.0/24]\n`);
    const run = await tekamolo(['validate']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('✓ tekamolo.yaml is valid (stack demo, region eu-central-1)\n');
  });
});

describe('trace path', () => {
  const hint = 'pass --trace a file in an existing folder that you can write to; nothing was changed';

  it('a trace file in a missing folder is bad input before any AWS call', async () => {
    const run = await tekamolo(['--trace', 'missing/trace.jsonl', 'plan']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      failure(
        'cannot write the trace file missing/trace.jsonl (--trace): no such file or folder (ENOENT)',
        hint,
      ),
    );
  });

  it('a trace path that is a folder is bad input before any AWS call', async () => {
    await mkdir(join(dir, 'traces'));
    const run = await tekamolo(['--trace', 'traces', 'up']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      failure('cannot write the trace file traces (--trace): it is a folder, not a file (EISDIR)', hint),
    );
    expect(existsSync(join(dir, '.tekamolo'))).toBe(false);
  });
});

describe('state path', () => {
  it('state.path naming a folder is bad input', async () => {
    await mkdir(join(dir, 'state'));
    await writeFile(join(dir, 'tekamolo.yaml'), `${CONFIG}state:\n  path: state\n`);
    const run = await tekamolo(['plan']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      failure(
        `the state file ${join(dir, 'state')} is a folder, expected a file`,
        'move the folder away, or set state.path in the config to another file (default .tekamolo/state.json)',
      ),
    );
  });

  it('.tekamolo being a file is bad input, for a command that writes state and one that reads it', async () => {
    await writeFile(join(dir, '.tekamolo'), 'not a folder\n');
    const expected = failure(
      `the state file ${join(dir, '.tekamolo/state.json')} cannot be kept there: ${join(dir, '.tekamolo')} is a file, where a folder is needed`,
      `move ${join(dir, '.tekamolo')} away, or set state.path in the config to another file`,
    );
    for (const command of ['up', 'status']) {
      const run = await tekamolo([command]);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(expected);
    }
    expect(await readFile(join(dir, '.tekamolo'), 'utf8')).toBe('not a folder\n');
  });
});

describe('lock file', () => {
  let lock: string;
  beforeEach(async () => {
    await mkdir(join(dir, '.tekamolo'));
    lock = join(dir, '.tekamolo/state.json.lock');
  });
  const hint = () => `if no other tekamolo run is working on this stack, delete ${lock}; nothing was changed`;

  it('an empty lock file names no owner: a clear error naming the file, kept as it was', async () => {
    await writeFile(lock, '');
    const run = await tekamolo(['up']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      failure(`the lock file ${lock} is empty: it does not say which run holds it`, hint()),
    );
    expect(await readFile(lock, 'utf8')).toBe('');
  });

  it('a garbled lock file of a live process, or of another host, is a clear error', async () => {
    await writeFile(lock, `{"pid": 1, "host": "${hostname()}", "startedAt": "2026-`);
    const live = await tekamolo(['destroy']);
    expect(live.code).toBe(2);
    expect(live.stderr).toBe(
      failure(
        `the lock file ${lock} is not valid JSON: it names pid 1 on ${hostname()}, which may still be running`,
        hint(),
      ),
    );
    await writeFile(lock, '{"pid": 4242, "host": "build-runner-7", "sta');
    const other = await tekamolo(['up']);
    expect(other.code).toBe(2);
    expect(other.stderr).toBe(
      failure(
        `the lock file ${lock} is not valid JSON: it names pid 4242 on build-runner-7, which may still be running`,
        hint(),
      ),
    );
  });

  it('a garbled lock file of a process gone from this host is taken over, and said so', async () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(lock, `{"pid": ${gone}, "host": "${hostname()}", "com`);
    const run = await tekamolo(['up']);
    expect(run.stderr).toContain(
      `warning: took over the lock file ${lock} (not valid JSON): the run that held it, pid ${gone}, is no longer running\n`,
    );
    // Past the lock, the run went on to AWS, which is unreachable here.
    expect(run.stderr).toContain('error: could not reach AWS');
    expect(existsSync(lock)).toBe(false);
  });
});

describe('no raw Node error reaches the user', () => {
  /**
   * Each fault, set up in a fresh project, and the command that meets it: every command meets some,
   * every path (config, state, lock, trace) is met by several commands, half of the runs with --json.
   */
  const faults: { name: string; args: string[]; setUp: () => Promise<unknown> }[] = [
    { name: 'config is a folder', args: ['-c', 'conf', 'validate'], setUp: () => mkdir(join(dir, 'conf')) },
    {
      name: 'config under a file',
      args: ['-c', 'tekamolo.yaml/inner.yaml', '--json', 'up'],
      setUp: async () => {},
    },
    {
      name: 'state path is a folder',
      args: ['--json', 'sync-frontend'],
      setUp: () => mkdir(join(dir, '.tekamolo/state.json'), { recursive: true }),
    },
    { name: 'state folder is a file', args: ['destroy'], setUp: () => writeFile(join(dir, '.tekamolo'), '') },
    {
      name: 'lock is a folder',
      args: ['--json', 'destroy'],
      setUp: () => mkdir(join(dir, '.tekamolo/state.json.lock'), { recursive: true }),
    },
    {
      name: 'lock is garbage',
      args: ['up'],
      setUp: async () => {
        await mkdir(join(dir, '.tekamolo'));
        await writeFile(join(dir, '.tekamolo/state.json.lock'), '\u0000\u0000\u0000');
      },
    },
    {
      name: 'trace in a missing folder',
      args: ['--trace', 'no/such/trace', '--json', 'status'],
      setUp: async () => {},
    },
    { name: 'trace is a folder', args: ['--trace', '.', 'sync-frontend'], setUp: async () => {} },
    { name: 'trace under a file', args: ['--trace', 'tekamolo.yaml/trace', 'plan'], setUp: async () => {} },
  ];

  it.each(faults)('$name: exit 2 and a sentence of ours, no bare error code', async ({ args, setUp }) => {
    await setUp();
    const run = await tekamolo(args);
    const output = run.stdout + run.stderr;
    expect(output).toMatch(/^(error: |\{|tekamolo\.yaml|conf)/);
    expect(output).not.toMatch(/\bE[A-Z]+:/);
    expect(output).not.toContain('check the network');
    expect(run.code).toBe(2);
    if (args.includes('--json') && !args.includes('validate')) {
      // The error is the final event of the one JSON contract.
      expect(expectEventLines(run.stdout).at(-1)).toMatchObject({ code: 'error', ok: false, exitCode: 2 });
    }
  });
});
