import type { Change, Health } from './contract.js';
import type { Scope } from './scope.js';

/**
 * The one event stream from the engine (and sync). The CLI only renders these: a live view on a
 * terminal, timestamped lines when piped, JSON lines with --json.
 */

export type NodeState = 'pending' | 'running' | 'waiting' | 'done' | 'failed' | 'skipped';

export type PlanAction = 'create' | 'update' | 'replace' | 'takeover' | 'noop' | 'delete';

interface Base {
  /** ISO-8601. */
  time: string;
}

export type EngineEvent =
  | (Base & {
      type: 'run-started';
      command: string;
      stack: string;
      resources: number;
      /** Account, region and profile the run works in. */
      scope?: Scope;
    })
  | (Base & { type: 'resource-started'; key: string; title: string; action: PlanAction })
  | (Base & { type: 'resource-progress'; key: string; message: string })
  | (Base & { type: 'resource-waiting'; key: string; message: string; elapsedMs: number })
  | (Base & {
      type: 'resource-done';
      key: string;
      action: PlanAction;
      id?: string;
      durationMs: number;
      changes?: Change[];
    })
  | (Base & { type: 'resource-failed'; key: string; error: string; hint?: string; durationMs: number })
  | (Base & { type: 'resource-skipped'; key: string; reason: string })
  | (Base & { type: 'resource-health'; key: string; health: Health })
  | (Base & { type: 'warning'; message: string; key?: string })
  | (Base & { type: 'info'; message: string })
  | (Base & {
      type: 'run-finished';
      command: string;
      ok: boolean;
      durationMs: number;
      counts: Partial<Record<PlanAction | 'failed' | 'skipped', number>>;
      awsCalls: number;
      changingCalls: number;
    });

/** Events without their time, as emitters build them. */
export type EngineEventInput = EngineEvent extends infer E
  ? E extends Base
    ? Omit<E, 'time'>
    : never
  : never;

export type EventSink = (event: EngineEvent) => void;

export function stamp(event: EngineEventInput): EngineEvent {
  return { ...event, time: new Date().toISOString() } as EngineEvent;
}
