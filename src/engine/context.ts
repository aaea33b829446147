import type { ResourceState } from '../state/types.js';
import {
  type AnyResource,
  type OutputsByKey,
  type ResourceContext,
  type ResourceKey,
  stackTags,
  type Unknown,
} from './contract.js';
import { type EngineEnv, emit } from './env.js';

/**
 * How a context finds a dependency's outputs: `unknown` in `plan` for a dependency that does not
 * exist yet, `undefined` for a dependency that is not enabled.
 */
export type OutputLookup = (key: string) => Record<string, unknown> | Unknown | undefined;

export interface ContextOptions {
  outputs: OutputLookup;
  /** The state entry the handler sees as `saved` (default: the store's entry). */
  saved?: ResourceState;
  /**
   * The user already said yes for this resource (the engine's takeover question): the handler's own
   * confirmation, its defence in depth, must not ask a second time.
   */
  confirmed?: boolean;
}

/**
 * The ResourceContext every handler call gets. `record` merges into the state entry and saves the file
 * at once (only in memory for read-only commands, which never write the state).
 */
export function createContext(
  env: EngineEnv,
  resource: AnyResource,
  options: ContextOptions,
): ResourceContext {
  const key = resource.key;
  const saved: ResourceState = options.saved ?? env.store.get(key) ?? {};
  const ctx: ResourceContext = {
    config: env.config,
    configDir: env.configDir,
    names: env.names,
    accountId: env.accountId,
    aws: env.aws,
    options: env.options,
    saved,
    async record(attributes) {
      Object.assign(saved, attributes);
      if (env.options.readOnly) return;
      env.store.merge(key, attributes);
      await env.store.save();
    },
    output<K extends ResourceKey>(dependency: K): OutputsByKey[K] | Unknown {
      if (!resource.dependsOn.includes(dependency)) {
        throw new Error(`${key} reads the outputs of ${dependency}, which is not in its dependsOn`);
      }
      // The engine holds every resource's outputs as JSON (they are saved in the state file); the
      // producing handler's `outputs` gave them this key's type.
      return options.outputs(dependency) as OutputsByKey[K] | Unknown;
    },
    tags: stackTags(env.config, key),
    progress: (message) => emit(env, { code: 'resource-progress', key, message }),
    waiting: (message, elapsedMs) => emit(env, { code: 'resource-waiting', key, message, elapsedMs }),
    warn: (message) => emit(env, { code: 'warning', key, message }),
    confirm: (question) =>
      env.options.yes || options.confirmed
        ? Promise.resolve(true)
        : env.confirm({ code: 'resource-confirm', key, question, default: false }),
    signal: env.signal,
  };
  return ctx;
}
