import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { probeMotoCommand, stopProcess, type WorkerServer } from './moto.js';
import { writeMotoAmis } from './moto-amis.js';

/**
 * Global setup of the integration project: how this machine starts moto_server (asked once, not by
 * every test file), a folder where each worker notes the emulator it started (test/support/moto.ts,
 * useMoto), the images every emulator of the run holds (moto-amis.ts), and the teardown that stops
 * them all when the run ends.
 */
export default function setup(project: TestProject): () => Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tekamolo-moto-'));
  project.provide('motoServers', dir);
  const command = probeMotoCommand();
  project.provide('motoCommand', command);
  project.provide('motoAmis', command ? writeMotoAmis(dir) : undefined);
  return async () => {
    const pids = readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .map((name) => (JSON.parse(readFileSync(join(dir, name), 'utf8')) as WorkerServer).pid)
      .filter((pid): pid is number => pid !== undefined);
    await Promise.all(pids.map(stopProcess));
    rmSync(dir, { recursive: true, force: true });
  };
}
