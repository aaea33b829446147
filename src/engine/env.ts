import type { Aws } from '../aws/clients.js';
import type { Names } from '../config/names.js';
import type { Config } from '../config/schema.js';
import type { ConfirmRequest } from '../output/message.js';
import type { StateStore } from '../state/store.js';
import type { AnyResource, RunOptions, TaggedKind } from './contract.js';
import { type EngineEventInput, type EventSink, stampEngine } from './events.js';
import type { Scope } from './scope.js';

/** What the engine needs for a run: the stack, the config, AWS, the state and where events go. */
export interface EngineEnv {
  /** Every resource kind of the stack (src/resources/index.ts), enabled or not. */
  resources: AnyResource[];
  config: Config;
  configDir: string;
  names: Names;
  accountId: string;
  /** Account, region and profile, for the run's first event (absent in tests that do not need it). */
  scope?: Scope;
  aws: Aws;
  store: StateStore;
  options: RunOptions;
  sink: EventSink;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /**
   * Answers a handler's `confirm` (and the engine's takeover question) when `--yes` was not given:
   * the user on a terminal, else the request's default.
   */
  confirm(request: ConfirmRequest): Promise<boolean>;
  /** How each deletable kind is recognised among what carries the stack's tag (leftovers); none: not looked for. */
  taggedKinds?: Record<string, TaggedKind>;
  /** Resources worked on at the same time (default 8). */
  concurrency?: number;
}

export const DEFAULT_CONCURRENCY = 8;

export function emit(env: Pick<EngineEnv, 'sink'>, event: EngineEventInput): void {
  env.sink(stampEngine(event));
}

/** The same env with read-only run options: handlers never see a changing mode, `record` only keeps in memory. */
export function readOnlyEnv(env: EngineEnv): EngineEnv {
  return { ...env, options: { ...env.options, readOnly: true } };
}
