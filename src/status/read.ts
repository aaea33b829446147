import pLimit from 'p-limit';
import { isReadOnlyOperation, type Tracer } from '../aws/trace.js';
import type { AnyResource, ResourceContext } from '../engine/contract.js';
import { DEFAULT_CONCURRENCY, type EngineEnv, readOnlyEnv } from '../engine/env.js';
import { describeFailure } from '../engine/failure.js';
import { LEFTOVERS_KEY, lookupFailure } from '../engine/leftovers.js';
import { type Observation, observe } from '../engine/observe.js';
import { leftoversBeside } from '../engine/plan.js';
import { type Scope, withScope } from '../engine/scope.js';
import { leftoverRow, type Reading, resolveNotChecked, type StatusRow, toRow } from './row.js';
import { type StatusSummary, summarize } from './summary.js';

/** One reading of the whole stack: plain data for the table and for `--json`. */
export interface StatusReport {
  stack: string;
  /** Account, region and profile of the reading. */
  scope?: Scope;
  /** When the reading started (ISO-8601). */
  time: string;
  durationMs: number;
  stateFile: { path: string; exists: boolean };
  rows: StatusRow[];
  summary: StatusSummary;
  /** AWS calls made for this reading; `changing` is always 0 (status only reads). */
  awsCalls: { total: number; changing: number } | null;
}

export interface ReadStatusOptions {
  /** Counts the AWS calls of this reading. */
  tracer?: Tracer;
  /** How many describe/health reads run at once (default: the engine's concurrency). */
  concurrency?: number;
  /** Look up every resource at once with the outputs saved in the state file (default true). */
  fromState?: boolean;
}

/** `describe` and `health` of one found resource, both reads, side by side. */
async function readDetails(
  resource: AnyResource,
  ctx: ResourceContext,
  observation: Observation,
): Promise<Reading> {
  const actual = observation.actual;
  if (!actual) return {};
  const reading: Reading = {};
  const failures: string[] = [];
  const [detail, health] = await Promise.allSettled([
    Promise.resolve().then(() => resource.describe?.(ctx, actual)),
    Promise.resolve().then(() => resource.health?.(ctx, actual)),
  ]);
  if (detail.status === 'fulfilled') {
    if (detail.value) reading.detail = detail.value;
  } else failures.push(describeFailure('describing', resource.title, detail.reason).message);
  if (health.status === 'fulfilled') {
    if (health.value) reading.health = health.value;
  } else failures.push(describeFailure('checking the health of', resource.title, health.reason).message);
  if (failures.length > 0) reading.error = failures.join('; ');
  return reading;
}

/** The leftovers beside what was found, as rows; a failed lookup is one `error` row. */
async function leftoverRows(env: EngineEnv, observations: Observation[]): Promise<StatusRow[]> {
  try {
    return (await leftoversBeside(env, observations)).map(leftoverRow);
  } catch (error) {
    const failure = lookupFailure(error);
    return [
      {
        ...leftoverRow({ key: LEFTOVERS_KEY, title: 'leftovers', id: '', region: '', reason: '' }),
        state: 'error',
        id: null,
        shortId: null,
        reason: null,
        error: failure.message,
        hint: failure.hint ?? null,
      },
    ];
  }
}

/**
 * Read the whole stack without changing anything: find + diff of every resource, the same as `plan`
 * (all at once from the state file when it can stand in for the dependencies, else the engine's
 * ordered walk), and for every resource found its `describe` and `health`. Those reads start as soon
 * as the resource is found and run beside the lookups (bounded), so that a slow health read never
 * holds back the lookup of the resources that depend on it. The whole reading is one AWS reading: an
 * identical read made twice in it is sent once.
 */
export function readStatus(env: EngineEnv, options: ReadStatusOptions = {}): Promise<StatusReport> {
  return env.aws.reading(() => read(env, options));
}

async function read(env: EngineEnv, options: ReadStatusOptions): Promise<StatusReport> {
  const started = Date.now();
  const time = new Date(started).toISOString();
  const callsBefore = options.tracer?.records.length ?? 0;
  const lookEnv = readOnlyEnv(env);
  const byKey = new Map(env.resources.map((r) => [r.key, r]));
  const limit = pLimit(options.concurrency ?? env.concurrency ?? DEFAULT_CONCURRENCY);
  /** The details read for each resource, with the observation they were read for. */
  const readings = new Map<string, { observation: Observation; reading: Promise<Reading> }>();

  const observations = await observe(lookEnv, {
    fromState: options.fromState ?? true,
    onObserved(observation, ctx) {
      const resource = byKey.get(observation.key);
      if (!resource || !ctx || !observation.actual || observation.error) return;
      readings.set(observation.key, {
        observation,
        reading: limit(() => readDetails(resource, ctx, observation)),
      });
    },
  });

  // Looked for beside the describe and health reads still running.
  const leftovers = leftoverRows(lookEnv, observations);
  const found: StatusRow[] = [];
  for (const observation of observations) {
    // Details read for an earlier look at the resource (one the engine did again) are not its own.
    const details = readings.get(observation.key);
    const reading = details?.observation === observation ? await details.reading : {};
    found.push(toRow(observation, reading));
  }
  const blockedBy = new Map(observations.map((o) => [o.key, o.blockedBy]));
  const rows = [...resolveNotChecked(found, (key) => blockedBy.get(key)), ...(await leftovers)];
  const records = options.tracer?.records.slice(callsBefore);
  const stateFile = { path: env.store.location, exists: env.store.exists };
  const summary = summarize(rows, {
    config: env.config,
    names: env.names,
    stateFile,
    outputs: new Map(observations.map((o) => [o.key, o.outputs])),
    readOnlyKeys: new Set(env.resources.filter((r) => r.readOnly).map((r) => r.key)),
    notChecked: new Set(observations.filter((o) => o.skipped || o.blockedBy !== undefined).map((o) => o.key)),
    // A destroy that returns while the distribution is being deleted records the phase it reached.
    destroyUnfinished: env.store.keys().some((key) => env.store.get(key)?.deletePhase !== undefined),
  });
  return {
    stack: env.config.stack,
    ...withScope(env),
    time,
    durationMs: Date.now() - started,
    stateFile,
    rows,
    summary,
    awsCalls: records
      ? { total: records.length, changing: records.filter((r) => !isReadOnlyOperation(r.operation)).length }
      : null,
  };
}
