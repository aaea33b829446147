import pLimit from 'p-limit';
import type { NodeState } from './events.js';

export interface WalkNode {
  key: string;
  /** Dependents may start now (outputs known), while this node goes on waiting. */
  ready(): void;
  /** The node is in a wait (shown as `waiting`). */
  waiting(): void;
}

export interface WalkOptions {
  /** Keys in an order where every key comes after its dependencies. */
  order: string[];
  deps: Map<string, string[]>;
  concurrency: number;
  /** Once aborted, no node starts; nodes in flight finish. */
  signal: AbortSignal;
  work(node: WalkNode): Promise<void>;
  onSkip(key: string, reason: string): void;
  /** Why a node is skipped because of `dependency` (default: "<dependency> failed"). */
  blockedReason?(dependency: string, state: NodeState): string;
}

export interface WalkResult {
  states: Map<string, NodeState>;
  errors: Map<string, unknown>;
}

/**
 * Walk a dependency graph: a node starts once all its dependencies are ready, at most `concurrency`
 * at a time. A failed node skips its dependents (and theirs) while independent branches go on.
 */
export function walk(options: WalkOptions): Promise<WalkResult> {
  const { order, deps, signal } = options;
  const states = new Map<string, NodeState>(order.map((k) => [k, 'pending']));
  const errors = new Map<string, unknown>();
  const ready = new Set<string>();
  const limit = pLimit(Math.max(1, options.concurrency));
  let inFlight = 0;

  return new Promise((resolve) => {
    const skip = (key: string, reason: string) => {
      states.set(key, 'skipped');
      options.onSkip(key, reason);
    };

    const settle = () => {
      for (const key of order) {
        if (states.get(key) !== 'pending') continue;
        const keyDeps = deps.get(key) ?? [];
        const blocked = keyDeps.find((d) => {
          const s = states.get(d);
          return s === 'failed' || s === 'skipped';
        });
        if (blocked) {
          const state = states.get(blocked) ?? 'failed';
          const reason = options.blockedReason?.(blocked, state);
          skip(key, reason ?? `${blocked} ${state === 'failed' ? 'failed' : 'was skipped'}`);
        } else if (signal.aborted) {
          skip(key, 'interrupted');
        } else if (keyDeps.every((d) => ready.has(d))) {
          start(key);
        }
      }
      if (inFlight === 0) {
        for (const key of order)
          if (states.get(key) === 'pending') skip(key, 'dependencies never became ready');
        resolve({ states, errors });
      }
    };

    const start = (key: string) => {
      states.set(key, 'running');
      inFlight++;
      const node: WalkNode = {
        key,
        ready() {
          if (ready.has(key)) return;
          ready.add(key);
          queueMicrotask(settle);
        },
        waiting() {
          states.set(key, 'waiting');
        },
      };
      void limit(async () => {
        if (signal.aborted) {
          skip(key, 'interrupted');
          return;
        }
        try {
          await options.work(node);
          states.set(key, 'done');
          ready.add(key);
        } catch (error) {
          states.set(key, 'failed');
          errors.set(key, error);
        }
      }).finally(() => {
        inFlight--;
        settle();
      });
    };

    settle();
  });
}
