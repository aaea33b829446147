import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isReadOnlyOperation } from '../../src/aws/trace.js';
import {
  changingCalls,
  countStack,
  createZone,
  type E2eProject,
  NONE_LEFT,
  ONE_OF_EACH,
  readTrace,
  runCli,
  Sdk,
  writeProject,
} from './e2e.js';
import { type FaultKind, startFaultProxy } from './fault-proxy.js';
import { motoAvailable, useMoto } from './moto.js';
import { shortRetries } from './short-retries.js';

/**
 * A bad network day, end to end: the command line (runCli) talks to moto_server through the fault proxy
 * (fault-proxy.ts beside this file), which loses the first answer of every kind of changing call after
 * the emulator carried it out, and throttles, fails and slows other requests at random, on fixed
 * seeds. Each phase must complete in ONE run and leave exactly what a fault-free run leaves, read
 * through the SDK straight from the emulator; after the last phase that builds (sync-frontend), a
 * fault-free `up` changes nothing.
 *
 * The runs retry as the product does, with the SDK's waits cut (short-retries.ts): the same calls are
 * retried and the same given up, without the seconds of backoff and rate limiting that were most of
 * each phase's time.
 */

/** One phase takes 1–5 s here, the first of a file up to 15 s while the emulator warms up. */
const PHASE_TIMEOUT_MS = 60_000;

const SITE = {
  'index.html': '<!doctype html><title>x</title>',
  'app.js': 'console.log(1)',
  'robots.txt': 'x',
};

/** The bad network day's phases on each of `seeds`, each seed a stack of its own in an emptied emulator. */
export function badNetworkDay(seeds: number[]): void {
  describe.skipIf(!motoAvailable())('a bad network day: every phase completes in one run', () => {
    const moto = useMoto({ reset: 'file' });
    let sdk: Sdk;

    beforeAll(async () => {
      sdk = new Sdk();
    });
    afterAll(async () => {
      sdk?.destroy();
    });

    describe.each(seeds)('seed %i', (seed) => {
      const stack = `bad${seed}`;
      let project: E2eProject;
      let zoneId: string;
      /** Faults injected in this seed's phases so far, by kind. */
      const injected = new Map<FaultKind, number>();

      beforeAll(async () => {
        await moto.reset();
        project = await writeProject({ stack });
        zoneId = await createZone(project.domain);
        await mkdir(join(project.dir, 'dist'), { recursive: true });
        for (const [name, text] of Object.entries(SITE))
          await writeFile(join(project.dir, 'dist', name), text);
      });
      afterAll(async () => {
        if (project) await rm(project.dir, { recursive: true, force: true });
      });

      /** One run through the fault proxy; returns the run, its trace and the faults injected. */
      async function underFaults(phase: string, args: string[]) {
        const proxy = await startFaultProxy({
          target: moto.url,
          seed,
          logFile: join(project.dir, `faults-${phase}.jsonl`),
        });
        const trace = join(project.dir, `${phase}.jsonl`);
        try {
          const run = await runCli(['-c', project.config, '--trace', trace, ...args], {
            env: moto.env({ AWS_ENDPOINT_URL: proxy.url }),
            cwd: project.dir,
            retryStrategy: shortRetries,
          });
          const counts = proxy.counts();
          const lost = proxy.lostKinds();
          for (const [kind, n] of Object.entries(counts) as [FaultKind, number][]) {
            injected.set(kind, (injected.get(kind) ?? 0) + n);
          }
          // The figures of the phase, for the record of what was injected.
          console.info(
            `fault seed ${seed} ${phase}: exit ${run.code}, ${JSON.stringify(counts)}, lost ${lost.length} kinds`,
          );
          return { run, records: await readTrace(trace), counts, lost };
        } finally {
          await proxy.stop();
        }
      }

      /** Every changing operation of the query and JSON APIs in the trace lost its first answer. */
      function expectEveryKindLost(records: { operation: string; service: string }[], lost: string[]) {
        const lostOperations = new Set(lost.map((k) => k.slice(k.indexOf(':') + 1)));
        const rest = new Set(['s3', 'cloudfront', 'route53']);
        const changing = new Set(
          records
            .filter((r) => !isReadOnlyOperation(r.operation) && !rest.has(r.service))
            .map((r) => r.operation),
        );
        expect([...changing].filter((op) => !lostOperations.has(op))).toEqual([]);
        for (const service of rest) {
          if (records.some((r) => r.service === service && !isReadOnlyOperation(r.operation))) {
            expect(lost.some((k) => k.startsWith(`${service}:`))).toBe(true);
          }
        }
      }

      async function faultFreeUpChangesNothing() {
        const trace = join(project.dir, `calm-${Date.now()}.jsonl`);
        const calm = await runCli(['-c', project.config, '--trace', trace, 'up'], {
          env: moto.env(),
          cwd: project.dir,
        });
        expect(calm.code, calm.stderr).toBe(0);
        expect(changingCalls(await readTrace(trace))).toEqual([]);
      }

      it(
        'up from nothing',
        async () => {
          const { run, records, counts, lost } = await underFaults('up', ['up']);
          expect(run.code, run.stderr).toBe(0);
          // Calls of one kind sent at the same moment may each lose their answer: at least one per kind.
          expect(counts['lost-drop'] + counts['lost-500']).toBeGreaterThanOrEqual(lost.length);
          expectEveryKindLost(records, lost);
          const { records: _records, ...counted } = await countStack(sdk, stack, zoneId);
          expect(counted).toEqual(ONE_OF_EACH);
        },
        PHASE_TIMEOUT_MS,
      );

      it(
        'sync-frontend',
        async () => {
          const { run, records, lost } = await underFaults('sync', ['sync-frontend']);
          expect(run.code, run.stderr).toBe(0);
          expectEveryKindLost(records, lost);
          const listed = await sdk.s3.send(new ListObjectsV2Command({ Bucket: project.bucket }));
          const keys = (listed.Contents ?? []).map((o) => o.Key).sort();
          expect(keys).toEqual(['.tekamolo/sync-manifest.json', ...Object.keys(SITE)].sort());
          // One fault-free `up` for both phases: sync-frontend changes objects and invalidations, which
          // `up` does not manage, so an `up` that changes nothing here proves that the faulty `up` left the
          // stack converged, and that the sync under faults changed nothing of it.
          await faultFreeUpChangesNothing();
        },
        PHASE_TIMEOUT_MS,
      );

      it(
        'destroy',
        async () => {
          const { run, records, lost } = await underFaults('destroy', ['destroy', '--yes']);
          expect(run.code, run.stderr).toBe(0);
          expectEveryKindLost(records, lost);
          const { records: _records, ...counted } = await countStack(sdk, stack, zoneId);
          expect(counted).toEqual(NONE_LEFT);
          // Besides the lost answers, the seed's phases met every other kind of fault.
          const met = (...kinds: FaultKind[]) => kinds.reduce((n, kind) => n + (injected.get(kind) ?? 0), 0);
          expect([met('throttle'), met('status-500', 'status-503'), met('latency')]).not.toContain(0);
        },
        PHASE_TIMEOUT_MS,
      );
    });
  });
}
