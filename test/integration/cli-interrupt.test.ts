import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE_VERSION } from '../../src/state/types.js';
import { type Moto, motoAvailable, startMoto } from '../support/moto.js';

/**
 * Ctrl-C during `up`, as a user presses it: certificates stay pending in the emulator, so the run is
 * waiting for validation when SIGINT arrives. It must stop, save the state and exit 130.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = join(root, 'bin', 'tekamolo.js');

describe.skipIf(!motoAvailable())('Ctrl-C during up', () => {
  let moto: Moto;

  beforeAll(async () => {
    moto = await startMoto({ acmValidationWait: 600 });
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it('stops at the next step, keeps a valid state file and exits 130 saying how to resume', async () => {
    if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('run `npm run build` first');
    const route53 = new Route53Client({ region: 'us-east-1' });
    await route53.send(
      new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: `int-${Date.now()}` }),
    );
    route53.destroy();
    const dir = await mkdtemp(join(tmpdir(), 'tekamolo-int-'));
    const config = join(dir, 'tekamolo.yaml');
    await writeFile(
      config,
      'stack: inttest\nregion: eu-central-1\ndomain: example.com\nfrontend:\n  routing: none\nwaits:\n  pollSeconds: 0.2\n',
    );
    const child = spawn(process.execPath, [cli, '-c', config, 'up'], {
      env: moto.env({ AWS_EC2_METADATA_DISABLED: 'true' }),
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sent && /validation: waiting/.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((ok) => child.on('close', ok));
    expect(sent).toBe(true);
    expect(code).toBe(130);
    expect(stderr).toContain('run `tekamolo up` again to resume');
    expect(stderr).toContain('stopping: steps in flight finish and the state is saved');
    expect(stdout).toContain('Interrupted');
    const state = JSON.parse(await readFile(join(dir, '.tekamolo', 'state.json'), 'utf8')) as {
      version: number;
      resources: Record<string, { id?: string }>;
    };
    expect(state.version).toBe(STATE_VERSION);
    expect(state.resources['certificate.cdn']?.id).toMatch(/^arn:aws:acm:us-east-1:/);
    // Nothing that needs validated certificates was started.
    expect(state.resources.listener).toBeUndefined();
    expect(state.resources.distribution).toBeUndefined();
    expect(existsSync(join(dir, '.tekamolo', 'state.json.lock'))).toBe(false);
  }, 120_000);
});
