import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { StateFile } from '../../src/state/types.js';
import {
  BUCKET_LINE,
  destroyOnTerminal,
  fillBucket,
  kinds,
  readState,
  STACK,
  useDestroyBench,
  versionCount,
} from '../support/destroy-checks.js';
import { changingCalls, readTrace, startCli } from '../support/e2e.js';
import { motoAvailable, useMoto } from '../support/moto.js';

/**
 * `tekamolo destroy` end to end, what a destroy leaves for the next one and what it asks first: --no-wait
 * and Ctrl-C while the disabled distribution deploys, each finished by the next destroy; --keep-bucket;
 * the confirmation typed on a terminal. The built CLI against moto_server, checked through the SDK. The
 * full destroy and a destroy killed while deleting: e2e-destroy.test.ts.
 */

describe.skipIf(!motoAvailable())('destroy end to end: resumed and confirmed', () => {
  const moto = useMoto();
  const bench = useDestroyBench(moto);
  const { cli, up, traceFile, leftovers } = bench;

  it('--no-wait starts disabling the distribution and returns; status shows it; the next destroy finishes', async () => {
    const { project } = bench;
    await moto.setTransition('cloudfront::distribution', 40);
    await up(['--no-wait']);
    const trace = traceFile();
    const started = await cli(['destroy', '--yes', '--no-wait'], trace);
    expect(started.code).toBe(0);
    expect(started.stdout + started.stderr).toContain('run `tekamolo destroy` again');
    const changing = changingCalls(await readTrace(trace));
    expect(changing).toContain('cloudfront:UpdateDistribution');
    expect(changing).not.toContain('cloudfront:DeleteDistribution');
    // What the distribution still needs stays: its origins, its certificate and its bucket.
    const left = await leftovers();
    expect(left.filter((l) => l.startsWith('cloudfront distribution'))).toEqual([
      expect.stringMatching(/ InProgress$/),
    ]);
    expect(kinds(left)).toEqual(
      expect.arrayContaining(['acm us-east-1', 's3 bucket', 'elbv2 load-balancer']),
    );
    expect(kinds(left)).not.toContain('autoscaling group');
    expect((await readState(project)).resources.distribution?.deletePhase).toBe('disabling');

    const status = await cli(['status']);
    expect(status.stdout).toMatch(/distribution .*InProgress.*disabled/);
    expect(status.stdout).toContain('being deleted (InProgress): run `tekamolo destroy` to finish');
    expect(status.stdout).toContain('a `tekamolo destroy` has not finished: run it again');
    expect(status.stdout).not.toContain('`tekamolo up` creates them');
    expect(status.stdout).not.toContain('`tekamolo up` puts them back');

    // Deployed at its next read: the finishing destroy is proved, not CloudFront's minutes.
    await moto.unsetTransition('cloudfront::distribution');
    const finishTrace = traceFile();
    const finish = await cli(['destroy', '--yes'], finishTrace);
    expect(finish.code).toBe(0);
    expect(changingCalls(await readTrace(finishTrace))).not.toContain('cloudfront:UpdateDistribution');
    expect(await leftovers()).toEqual([]);
    expect(existsSync(project.stateFile)).toBe(false);
  }, 180_000);

  it('Ctrl-C while waiting for the distribution exits 130 with the phase saved; the next destroy finishes', async () => {
    const { project, env } = bench;
    await moto.setTransition('cloudfront::distribution', 150);
    await up(['--no-wait']);
    const run = startCli(['-c', project.config, 'destroy', '--yes'], { env, cwd: project.dir });
    let ended = false;
    void run.done.then(() => {
      ended = true;
    });
    // Ctrl-C once the disable is recorded: the run is then waiting for the distribution to deploy.
    let sent = false;
    while (!ended && !sent) {
      const text = existsSync(project.stateFile) ? await readFile(project.stateFile, 'utf8') : '{}';
      const state = JSON.parse(text) as Partial<StateFile>;
      if (state.resources?.distribution?.deletePhase === 'disabling') {
        sent = run.child.kill('SIGINT');
      } else await new Promise((r) => setTimeout(r, 20));
    }
    const interrupted = await run.done;
    expect(sent).toBe(true);
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toContain('run `tekamolo destroy` again to finish');
    expect((await readState(project)).resources.distribution?.deletePhase).toBe('disabling');
    expect(existsSync(`${project.stateFile}.lock`)).toBe(false);

    await moto.unsetTransition('cloudfront::distribution');
    const trace = traceFile();
    const finish = await cli(['destroy', '--yes'], trace);
    expect(finish.code).toBe(0);
    expect(changingCalls(await readTrace(trace))).not.toContain('cloudfront:UpdateDistribution');
    expect(await leftovers()).toEqual([]);
  }, 180_000);

  it('on a terminal, shows what goes and deletes only after the stack name is typed; --keep-bucket keeps the bucket with every object version, and that later destroy deletes it', async () => {
    const { project, s3, env } = bench;
    await up();
    await fillBucket(s3, project.bucket);
    const content = await versionCount(s3, project.bucket);
    expect(content).toEqual({ versions: 4, markers: 1 });
    const before = await leftovers();
    const args = ['-c', project.config, 'destroy'];

    const wrong = await destroyOnTerminal('not-it', args, env, project.dir);
    expect(wrong.screen).toMatch(BUCKET_LINE);
    expect(wrong.screen).toMatch(/\d+ to delete, 2 kept/);
    expect(wrong.screen).toContain(`Type the stack name (${STACK})`);
    expect(wrong.screen).toContain('nothing was deleted');
    expect(wrong.code).toBe(2);
    expect(await leftovers()).toEqual(before);

    const kept = await cli(['destroy', '--yes', '--keep-bucket']);
    expect(kept.code).toBe(0);
    expect(await leftovers()).toEqual([`s3 bucket ${project.bucket}`]);
    expect(await versionCount(s3, project.bucket)).toEqual(content);
    expect(Object.keys((await readState(project)).resources)).toEqual(['bucket']);

    const plan = await cli(['plan', '--destroy']);
    expect(plan.stdout).toMatch(BUCKET_LINE);
    const typed = await destroyOnTerminal(STACK, args, env, project.dir);
    expect(typed.screen).toMatch(BUCKET_LINE);
    expect(typed.screen).toContain(`Stack ${STACK} is destroyed`);
    expect(typed.code).toBe(0);
    expect(await leftovers()).toEqual([]);
    expect(existsSync(project.stateFile)).toBe(false);
  }, 180_000);
});
