import type { AwsCalls } from '../aws/trace.js';
import { type Levels, type Message, type Sink, stamp } from '../output/message.js';
import type { Change, Health } from './contract.js';
import type { Scope } from './scope.js';

/**
 * What the engine reports while it works, as messages of the one output channel (src/output/): the CLI
 * renders them as a live view on a terminal, timestamped lines when piped, JSON lines with --json.
 */

export type NodeState = 'pending' | 'running' | 'waiting' | 'done' | 'failed' | 'skipped';

export type PlanAction = 'create' | 'update' | 'replace' | 'takeover' | 'noop' | 'delete';

export type EnginePayload =
  | {
      code: 'run-started';
      command: string;
      stack: string;
      resources: number;
      /** Account, region and profile the run works in. */
      scope?: Scope;
    }
  | { code: 'resource-started'; key: string; title: string; action: PlanAction }
  | { code: 'resource-progress'; key: string; message: string }
  | { code: 'resource-waiting'; key: string; message: string; elapsedMs: number }
  | {
      code: 'resource-done';
      key: string;
      action: PlanAction;
      id?: string;
      durationMs: number;
      changes?: Change[];
    }
  | { code: 'resource-failed'; key: string; error: string; hint?: string; durationMs: number }
  | { code: 'resource-skipped'; key: string; reason: string }
  | { code: 'resource-health'; key: string; health: Health }
  | { code: 'warning'; message: string; key?: string }
  | { code: 'info'; message: string }
  | {
      code: 'run-finished';
      command: string;
      ok: boolean;
      durationMs: number;
      counts: Partial<Record<PlanAction | 'failed' | 'skipped', number>>;
      awsCalls: AwsCalls;
    };

export const ENGINE_LEVELS: Levels<EnginePayload> = {
  'run-started': 'info',
  'resource-started': 'info',
  'resource-progress': 'debug',
  'resource-waiting': 'info',
  'resource-done': 'info',
  'resource-failed': 'error',
  'resource-skipped': 'info',
  'resource-health': 'info',
  warning: 'warn',
  info: 'info',
  'run-finished': 'info',
};

export type EngineEvent = Message<EnginePayload>;
/** Events without their time and level, as emitters build them. */
export type EngineEventInput = EnginePayload;
export type EventSink = Sink<EnginePayload>;

export function stampEngine(payload: EnginePayload): EngineEvent {
  return stamp(payload, ENGINE_LEVELS);
}
