import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { STATE_VERSION } from '../../src/state/types.js';
import { interruptWhen } from '../support/cli.js';
import { createZone, writeProject } from '../support/e2e.js';
import { motoAvailable, useMoto } from '../support/moto.js';

/**
 * Ctrl-C during `up`, as a user presses it: certificates stay pending in the emulator, so the run is
 * waiting for validation when SIGINT arrives. It must stop, save the state and exit 130.
 */

describe.skipIf(!motoAvailable())('Ctrl-C during up', () => {
  const moto = useMoto({ acmValidationWait: 600, reset: 'file' });

  it('stops at the next step, keeps a valid state file and exits 130 saying how to resume', async () => {
    await createZone('example.com');
    const project = await writeProject({ stack: 'inttest', pollSeconds: 0.2 });
    const { code, stdout, stderr, interrupted } = await interruptWhen(
      ['-c', project.config, 'up'],
      { env: moto.env({ AWS_EC2_METADATA_DISABLED: 'true' }), cwd: project.dir },
      'stderr',
      (written) => /validation: waiting/.test(written),
    );
    expect(interrupted).toBe(true);
    expect(code).toBe(130);
    expect(stderr).toContain('run `tekamolo up` again to resume');
    expect(stderr).toContain('stopping: steps in flight finish and the state is saved');
    expect(stdout).toContain('Interrupted');
    const state = JSON.parse(await readFile(project.stateFile, 'utf8')) as {
      version: number;
      resources: Record<string, { id?: string }>;
    };
    expect(state.version).toBe(STATE_VERSION);
    expect(state.resources['certificate.cdn']?.id).toMatch(/^arn:aws:acm:us-east-1:/);
    // Nothing that needs validated certificates was started.
    expect(state.resources.listener).toBeUndefined();
    expect(state.resources.distribution).toBeUndefined();
    expect(existsSync(`${project.stateFile}.lock`)).toBe(false);
  }, 120_000);
});
