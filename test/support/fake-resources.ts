import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aws } from '../../src/aws/clients.js';
import { Tracer } from '../../src/aws/trace.js';
import { deriveNames } from '../../src/config/names.js';
import type { Config } from '../../src/config/schema.js';
import {
  type Actual,
  type AnyResource,
  type Change,
  fieldChange,
  outputField,
  type Resource,
  type ResourceContext,
  type RunOptions,
  type Unknown,
} from '../../src/engine/contract.js';
import type { EngineEnv } from '../../src/engine/env.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { StateStore } from '../../src/state/store.js';
import { testConfig } from './context.js';

/**
 * In-memory resources for engine tests: each fake kind keeps its "AWS" objects in a FakeCloud, with
 * configurable delays, failures, waits and replacement fields. Nothing here talks to AWS.
 */

export interface FakeItem {
  id: string;
  name: string;
  spec: Record<string, unknown>;
  /** Set on an item someone else owns: `find` reports it as foreign. */
  foreign?: string;
  /** Why the item's ownership is not proved (another stack's tag): `ownership` says so. */
  notProved?: string;
  /** Set while a deletion is pending (`delete` with wait off and `pendingDelete`). */
  deleting?: boolean;
}

export interface FakeCall {
  key: string;
  op: 'find' | 'create' | 'update' | 'delete' | 'wait';
  id?: string;
  at: number;
  /** When the call returned. */
  end?: number;
}

export class FakeCloud {
  readonly items = new Map<string, FakeItem>();
  readonly calls: FakeCall[] = [];
  /**
   * The process dies at this call, as a SIGKILL would end it: the call is carried out and its answer
   * lost, every later call fails without reaching the cloud.
   */
  killedAtCall: number | undefined;
  private counter = 0;

  nextId(key: string): string {
    this.counter++;
    return `${key}-${this.counter}`;
  }

  byName(name: string): FakeItem[] {
    return [...this.items.values()].filter((i) => i.name === name);
  }

  callsOf(op: FakeCall['op'], key?: string): FakeCall[] {
    return this.calls.filter((c) => c.op === op && (key === undefined || c.key === key));
  }

  /** Put an object in place as if created earlier (by tekamolo, or by someone else with `foreign`). */
  seed(item: Omit<FakeItem, 'id'> & { id?: string }): FakeItem {
    const full: FakeItem = { ...item, id: item.id ?? this.nextId(item.name) };
    this.items.set(full.id, full);
    return full;
  }
}

export interface FakeActual extends Actual {
  spec: Record<string, unknown>;
  notProved?: string;
}

export interface FakeOutputs {
  /** May be handed over as unknown by an update (a test's outputsChangedBy). */
  id: string | Unknown;
  [field: string]: unknown;
}

export interface FakeOptions {
  key: string;
  dependsOn?: string[];
  /** Desired fields (besides the ids of dependencies, which are added as `<dep>Id`). */
  spec?: Record<string, unknown>;
  /** Fields whose change forces a replacement. */
  replaceFields?: string[];
  /** Milliseconds each step takes. */
  delayMs?: number;
  /** Milliseconds `wait` takes (no wait when absent). */
  waitMs?: number;
  fail?: Partial<Record<'find' | 'create' | 'update' | 'delete' | 'wait', Error>>;
  /** `create` records the id, then fails (a crash halfway). */
  failAfterRecord?: Error;
  readOnly?: boolean;
  optionalWait?: boolean;
  readyBeforeDependents?: boolean;
  enabled?: boolean;
  /** `delete` resolves 'pending' when ctx.options.wait is false. */
  pendingDelete?: boolean;
  /** Dependencies whose ownership this one's rests on (`Ownership.through`). */
  through?: string[];
  /** Called inside `create`, after the id was recorded (e.g. to press Ctrl-C mid-run). */
  onCreate?: (ctx: ResourceContext) => void;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (!ms) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

export function fakeResource(
  cloud: FakeCloud,
  o: FakeOptions,
): Resource<Record<string, unknown>, FakeActual, FakeOutputs> {
  const dependsOn = o.dependsOn ?? [];
  const track = async <T>(
    op: FakeCall['op'],
    id: string | undefined,
    body: (answerLost: boolean) => Promise<T> | T,
  ): Promise<T> => {
    const call: FakeCall = { key: o.key, op, at: Date.now() };
    if (id) call.id = id;
    cloud.calls.push(call);
    const number = cloud.calls.length;
    const killedAt = cloud.killedAtCall;
    try {
      await sleep(o.delayMs ?? 0);
      if (killedAt !== undefined && number > killedAt) throw new Error('killed before this call');
      const error = o.fail?.[op];
      if (error) throw error;
      const result = await body(number === killedAt);
      if (number === killedAt) throw new Error('killed: the answer was lost');
      return result;
    } finally {
      call.end = Date.now();
    }
  };
  const actualOf = (item: FakeItem): FakeActual => {
    const actual: FakeActual = { id: item.id, spec: { ...item.spec } };
    if (item.foreign) actual.foreign = item.foreign;
    if (item.notProved) actual.notProved = item.notProved;
    return actual;
  };
  const resource: Resource<Record<string, unknown>, FakeActual, FakeOutputs> = {
    key: o.key,
    title: `fake ${o.key}`,
    dependsOn,
    readOnly: o.readOnly ?? false,
    optionalWait: o.optionalWait ?? false,
    readyBeforeDependents: o.readyBeforeDependents ?? false,
    enabled: () => o.enabled ?? true,
    desired(ctx) {
      const desired: Record<string, unknown> = { ...o.spec };
      for (const dep of dependsOn) {
        // Fake keys are not in the outputs map of the real stack.
        const out = (ctx.output as (key: string) => FakeOutputs | Unknown | undefined)(dep);
        if (out) desired[`${dep}Id`] = outputField(out, 'id');
      }
      return desired;
    },
    find(ctx) {
      return track('find', undefined, () => {
        const saved = typeof ctx.saved.id === 'string' ? cloud.items.get(ctx.saved.id) : undefined;
        const item = saved ?? cloud.byName(o.key)[0];
        return item ? actualOf(item) : undefined;
      });
    },
    ownership(_ctx, actual) {
      return {
        ...(actual.notProved ? { notProved: actual.notProved } : {}),
        ...(o.through ? { through: o.through } : {}),
      };
    },
    diff(desired, actual) {
      const changes: Change[] = [];
      for (const [field, value] of Object.entries(desired)) {
        const replace = o.replaceFields?.includes(field);
        changes.push(
          ...fieldChange(
            field,
            value,
            actual.spec[field],
            replace ? 'replace' : 'update',
            replace ? `${field} cannot change in place` : undefined,
          ),
        );
      }
      return changes;
    },
    create(ctx, desired) {
      return track('create', undefined, async (answerLost) => {
        if (o.readOnly) throw new Error(`${o.key} does not exist: create it first`);
        const item: FakeItem = { id: cloud.nextId(o.key), name: o.key, spec: { ...desired } };
        cloud.items.set(item.id, item);
        // Killed before the answer came: the item exists, its id was never recorded.
        if (answerLost) throw new Error('killed: the answer was lost');
        await ctx.record({ id: item.id });
        o.onCreate?.(ctx);
        if (o.failAfterRecord) throw o.failAfterRecord;
        return actualOf(item);
      });
    },
    update(ctx, desired, actual) {
      return track('update', actual.id, async () => {
        // Like the DNS handlers: overwriting what is not ours asks again, as a defence in depth.
        if (actual.foreign && !(await ctx.confirm(`overwrite ${actual.id}?`))) throw new Error('refused');
        const item = cloud.items.get(actual.id);
        if (!item) throw new Error(`${actual.id} is gone`);
        item.spec = { ...item.spec, ...desired };
        delete item.foreign;
        delete item.notProved;
        return actualOf(item);
      });
    },
    delete(ctx, actual) {
      return track('delete', actual.id, async () => {
        if (o.pendingDelete && !ctx.options.wait) {
          const item = cloud.items.get(actual.id);
          if (item) item.deleting = true;
          await ctx.record({ deleting: true });
          return 'pending' as const;
        }
        cloud.items.delete(actual.id);
      });
    },
    outputs(actual) {
      return { id: actual.id, ...actual.spec };
    },
  };
  if (o.waitMs !== undefined) {
    const waitMs = o.waitMs;
    resource.wait = (ctx, actual) =>
      track('wait', actual.id, async () => {
        ctx.waiting('until ready', 0);
        await sleep(waitMs, ctx.signal);
        return actual;
      });
  }
  return resource;
}

export interface FakeEnv extends EngineEnv {
  events: EngineEvent[];
  controller: AbortController;
  dir: string;
  /** Questions asked through `confirm`. */
  questions: string[];
}

export interface FakeEnvOptions {
  config?: Config;
  options?: Partial<RunOptions>;
  /** The answer to confirm questions (default false). */
  answer?: boolean;
  concurrency?: number;
  dir?: string;
}

/** An EngineEnv over fake resources and a state file in a fresh temporary folder. */
export async function fakeEnv(resources: AnyResource[], opts: FakeEnvOptions = {}): Promise<FakeEnv> {
  const config = opts.config ?? testConfig();
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'tekamolo-engine-')));
  const store = await StateStore.open({ path: join(dir, '.tekamolo', 'state.json'), stack: config.stack });
  const events: EngineEvent[] = [];
  const questions: string[] = [];
  const controller = new AbortController();
  const env: FakeEnv = {
    resources,
    config,
    configDir: dir,
    names: deriveNames(config),
    accountId: '123456789012',
    aws: new Aws({ region: config.region, tracer: new Tracer() }),
    store,
    options: { wait: true, yes: false, readOnly: false, keepBucket: false, ...opts.options },
    sink: (event) => events.push(event),
    signal: controller.signal,
    confirm: async ({ question }) => {
      questions.push(question);
      return opts.answer ?? false;
    },
    concurrency: opts.concurrency ?? 8,
    events,
    controller,
    dir,
    questions,
  };
  return env;
}

/** Events of one code, typed. */
export function eventsOf<C extends EngineEvent['code']>(
  events: EngineEvent[],
  code: C,
): Extract<EngineEvent, { code: C }>[] {
  return events.filter((e): e is Extract<EngineEvent, { code: C }> => e.code === code);
}
