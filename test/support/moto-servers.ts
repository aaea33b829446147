import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { WorkerServer } from './moto.js';

/**
 * Global setup of the integration project: a folder where each worker notes the emulator it started
 * (test/support/moto.ts, useMoto), and the teardown that stops them all when the run ends.
 */
export default function setup(project: TestProject): () => Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tekamolo-moto-'));
  project.provide('motoServers', dir);
  return async () => {
    const pids = readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .map((name) => (JSON.parse(readFileSync(join(dir, name), 'utf8')) as WorkerServer).pid)
      .filter((pid): pid is number => pid !== undefined);
    await Promise.all(pids.map(stop));
    rmSync(dir, { recursive: true, force: true });
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after 5 s: the emulator usually stops within 0.2–3 s. */
async function stop(pid: number): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; waited < 5000 && alive(pid); waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}
