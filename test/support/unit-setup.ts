import { createRequire } from 'node:module';
import { afterAll, beforeAll, vi } from 'vitest';
import { replaceEnv } from '../../src/cli/run-environment.js';

/**
 * Unit files share one module cache per worker (isolate: false), so what a file leaves behind must
 * not reach the next one: aws-sdk-client-mock's mockClient(Class) stubs the client class's prototype
 * through sinon's default sandbox, and a file that forgets restore() would answer the next file's
 * calls. That sandbox is the one of the CommonJS sinon the mock library requires (an ES import of
 * sinon is another copy with a sandbox of its own).
 */
const mockLibrary = createRequire(import.meta.url).resolve('aws-sdk-client-mock');
const sinon = createRequire(mockLibrary)('sinon') as { restore(): void };

/** process.env as the file found it: tests that set a variable by assignment (AWS_PROFILE) undo nothing. */
let envAtStart: NodeJS.ProcessEnv = {};
beforeAll(() => {
  envAtStart = { ...process.env };
});

afterAll(() => {
  replaceEnv(envAtStart);
  sinon.restore();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});
