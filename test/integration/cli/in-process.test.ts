import { copyFile, mkdtemp, readdir, readFile, readlink, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createZone, runCli, writeProject } from '../../support/e2e.js';
import { motoAvailable, useMoto } from '../../support/moto.js';

/**
 * The command line run as a function (runTekamolo, through runCli) leaves the process as it found
 * it: its environment, its folder, its signal handlers, and nothing written to its own stdout or
 * stderr. A process (the forks of this project) of its own: process.chdir is refused in threads.
 */
const GOOD = resolve('test/fixtures/config/good/minimal.yaml');

/** The files this process has open (Linux: /proc/self/fd). */
async function openFiles(): Promise<string[]> {
  const fds = await readdir('/proc/self/fd');
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets.filter(Boolean);
}

async function folderWithConfig(): Promise<string> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'tekamolo-in-process-')));
  await copyFile(GOOD, join(dir, 'tekamolo.yaml'));
  return dir;
}

describe('runCli in this process', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("sees the run's folder and environment, and puts the process's back", async () => {
    const dir = await folderWithConfig();
    const cwd = process.cwd();
    const env = { ...process.env };
    const stdout = vi.spyOn(process.stdout, 'write');
    const stderr = vi.spyOn(process.stderr, 'write');

    // No -c: ./tekamolo.yaml of the run's folder, named relative to it; the stage from the run's env.
    const staged = await runCli(['validate'], {
      env: { PATH: process.env.PATH, NO_COLOR: '1', TEKAMOLO_STAGE: 'qa' },
      cwd: dir,
    });
    expect(staged.code).toBe(2);
    expect(staged.stderr).toContain('tekamolo.yaml:1:1  unknown stage "qa" (--stage or TEKAMOLO_STAGE)');
    const run = await runCli(['--json', 'validate'], { env: { NO_COLOR: '1' }, cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const document = JSON.parse(run.stdout) as { ok: boolean; file: string };
    expect(document).toMatchObject({ ok: true, file: join(dir, 'tekamolo.yaml') });
    expect(process.cwd()).toBe(cwd);
    expect(process.env).toEqual(env);
    expect(stdout).not.toHaveBeenCalled();
    expect(stderr).not.toHaveBeenCalled();
  });

  it('gives the exit codes and streams of the binary: usage 2, help 0 on stdout, errors on stderr', async () => {
    const options = { env: { PATH: process.env.PATH, NO_COLOR: '1' }, cwd: process.cwd() };
    const none = await runCli([], options);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: tekamolo [options] [command]');
    expect(none.stdout).toBe('');

    const help = await runCli(['up', '--help'], options);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: tekamolo up\|deploy \[options\][\s\S]*Global Options:/);

    const typo = await runCli(['depoly'], options);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("error: unknown command 'depoly'\n(Did you mean deploy?)");

    const missing = await runCli(['-c', 'no-such.yaml', 'validate'], options);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('config file not found');
  });

  it('a failing run puts the environment and folder back too', async () => {
    const dir = await folderWithConfig();
    const cwd = process.cwd();
    const env = { ...process.env };
    const runEnv = { NO_COLOR: '1', AWS_REGION: 'ap-south-2' };
    const run = await runCli(['-c', 'nowhere/tekamolo.yaml', 'plan'], { env: runEnv, cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(join(dir, 'nowhere/tekamolo.yaml'));
    expect(process.cwd()).toBe(cwd);
    expect(process.env).toEqual(env);
  });

  it('refuses a second run while one is going on: both would share one environment', async () => {
    const options = { env: { NO_COLOR: '1' }, cwd: process.cwd() };
    const first = runCli(['--help'], options);
    await expect(runCli(['--help'], options)).rejects.toThrow(/another run is going on/);
    expect((await first).code).toBe(0);
  });
});

describe.skipIf(!motoAvailable())('runCli in this process, against the emulator', () => {
  const moto = useMoto();

  it('removes the Ctrl-C and SIGTERM handlers a session installed, and closes the trace file', async () => {
    const project = await writeProject({ stack: 'inproc' });
    await createZone(project.domain);
    const trace = join(project.dir, 'trace.jsonl');
    const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    const run = await runCli(['-c', project.config, '--trace', trace, 'plan'], {
      env: moto.env(),
      cwd: project.dir,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('to create');
    expect(await readFile(trace, 'utf8')).toContain('"operation":"GetCallerIdentity"');
    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual(before);
    expect(await openFiles()).not.toContain(trace);
  }, 120_000);
});
