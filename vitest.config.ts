import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { SlowestFirst } from './test/support/sequencer.js';

const UNIT = 'test/unit/**/*.test.ts';
/** Unit files that vi.mock a module: the mock must come before the module is first imported. */
const MOCKING_MODULES = ['test/unit/resources/acm/certificate-validation.test.ts'];

// Every temporary folder of the run (the tests' own, and those of the CLI runs and emulators they
// start) goes under one folder, removed when the run ends: a test that forgets one leaves nothing.
const runTmp = mkdtempSync(join(tmpdir(), 'tekamolo-test-run-'));
process.env.TMPDIR = runTmp;
process.on('exit', () => rmSync(runTmp, { recursive: true, force: true }));

export default defineConfig({
  test: {
    // Vitest's default leaves a core to its main process, which only waits here: one worker on two cores.
    maxWorkers: availableParallelism(),
    // The slowest integration files start first on a clean clone too (no timings cached yet).
    sequence: { sequencer: SlowestFirst },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The SDK's notice that its 2027 releases need Node 22 would repeat in every test file.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [UNIT],
          exclude: MOCKING_MODULES,
          // One module cache per thread: the SDK is imported once per worker, not once per file.
          pool: 'threads',
          isolate: false,
          setupFiles: ['test/support/unit-setup.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'unit-isolated', include: MOCKING_MODULES, pool: 'threads' },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // Processes, not threads: process.chdir (in-process CLI runs) is refused in worker threads.
          pool: 'forks',
          // One process per worker runs its files one after another, importing the SDK and the CLI once
          // (about a second per file); integration-setup.ts puts back what a file changes in the process.
          isolate: false,
          setupFiles: ['test/support/integration-setup.ts'],
          globalSetup: ['test/support/moto-servers.ts'],
        },
      },
    ],
  },
});
