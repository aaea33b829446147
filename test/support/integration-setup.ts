import type { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadSharedConfigFiles } from '@smithy/core/config';
import { afterAll, beforeAll, vi } from 'vitest';
import { replaceEnv } from '../../src/cli/run-environment.js';
import { runCliGoingOn } from './e2e.js';

/**
 * Integration files run one after another in one process per worker (isolate: false): what a file
 * changes in the process must not reach the next one. Put back at the end of every file: process.env
 * (useMoto points the SDK at the emulator by assignment), the folder, signal and exit listeners, vi
 * spies, stubs and timers, and the SDK's cache of shared config files. What cannot be put back (a
 * child process, a listening server, an in-process run still going) fails the file that left it.
 */

/** Process events that the command line (Ctrl-C handling) and tests may listen to. */
const PROCESS_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'exit', 'beforeExit'];
/** The process as the plain event emitter it is, to list and remove listeners of any of those events. */
const processEvents: EventEmitter = process;

/**
 * Handles that keep a process busy and that only their owner can end (node's resource names): child
 * processes (ProcessWrap) and listening servers (TCP, or a pipe / unix socket). Sockets are left out:
 * fetch and the SDK keep idle connections open for a few seconds, and they close by themselves.
 */
const OWNED_HANDLES = ['ProcessWrap', 'TCPServerWrap', 'PipeServerWrap'];

/** A child killed or a server closed at the file's last moment needs a few turns of the loop to go. */
const HANDLE_GRACE_MS = 2000;

function ownedHandles(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of process.getActiveResourcesInfo()) {
    if (OWNED_HANDLES.includes(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

function leftOver(before: Map<string, number>): string[] {
  return [...ownedHandles()]
    .filter(([name, count]) => count > (before.get(name) ?? 0))
    .map(([name, count]) => `${count - (before.get(name) ?? 0)} × ${name}`);
}

let envAtStart: NodeJS.ProcessEnv = {};
let cwdAtStart = '';
let listenersAtStart = new Map<string, ReturnType<EventEmitter['listeners']>>();
let handlesAtStart = new Map<string, number>();

beforeAll(() => {
  envAtStart = { ...process.env };
  cwdAtStart = process.cwd();
  listenersAtStart = new Map(PROCESS_EVENTS.map((event) => [event, processEvents.listeners(event)]));
  handlesAtStart = ownedHandles();
});

afterAll(async () => {
  const problems: string[] = [];
  if (runCliGoingOn()) problems.push('an in-process run (runCli) is still going on');

  replaceEnv(envAtStart);
  if (process.cwd() !== cwdAtStart) process.chdir(cwdAtStart);
  for (const event of PROCESS_EVENTS) {
    const before = listenersAtStart.get(event) ?? [];
    for (const listener of processEvents.listeners(event)) {
      if (!before.includes(listener)) processEvents.off(event, listener as (...args: unknown[]) => void);
    }
  }
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  vi.useRealTimers();
  // The SDK keeps each shared config file it has read for the life of the process (a file may have
  // pointed it at files of its own): the next file reads the files of the environment put back.
  await loadSharedConfigFiles({ ignoreCache: true });

  for (let waited = 0; leftOver(handlesAtStart).length > 0 && waited < HANDLE_GRACE_MS; waited += 50) {
    await sleep(50);
  }
  const handles = leftOver(handlesAtStart);
  if (handles.length > 0) {
    problems.push(`${handles.join(', ')} still open (a child process or a server it started)`);
  }
  if (problems.length > 0) {
    throw new Error(
      `this test file left ${problems.join('; ')}: stop what a file starts in its afterAll/afterEach, ` +
        'as the next file runs in the same process',
    );
  }
});
