import { createContext } from './context.js';
import { type Actual, type AnyResource, unknown } from './contract.js';
import { type EngineEnv, emit } from './env.js';
import { describeFailure, type StepFailure } from './failure.js';
import { notDeleted, proveRetired } from './ownership.js';
import { emitFailure, reportFailure } from './report-failure.js';
import type { RunResult } from './run-summary.js';

/**
 * Delete one resource that is no longer wanted (`what`: "the replaced", "the no longer configured"),
 * with the usual events; `forget` drops its state entry once it is gone. The failure is reported and
 * returned, not thrown.
 */
export async function removeUnwanted(
  env: EngineEnv,
  resource: AnyResource,
  actual: Actual,
  what: string,
  forget: () => void,
): Promise<StepFailure | undefined> {
  const t0 = Date.now();
  const ctx = createContext(env, resource, { outputs: (key) => env.store.get(key) ?? unknown });
  emit(env, { code: 'resource-started', key: resource.key, title: resource.title, action: 'delete' });
  ctx.progress(`deleting ${what} ${actual.id}`);
  try {
    await resource.delete(ctx, actual);
    forget();
    await env.store.save();
    emit(env, {
      code: 'resource-done',
      key: resource.key,
      action: 'delete',
      id: actual.id,
      durationMs: Date.now() - t0,
    });
    return undefined;
  } catch (error) {
    return emitFailure(env, resource.key, describeFailure(`deleting ${what}`, resource.title, error), t0);
  }
}

/**
 * The replaced resources kept under `retired` (by this run or an interrupted earlier one), deleted
 * once nothing uses them: after an `up` where every resource converged, at the end of a `destroy`. One
 * that cannot be proved this stack's is forgotten, not deleted, and named as a failure. Resolves to
 * how many were deleted; failures are added to `failures`.
 */
export async function deleteRetired(env: EngineEnv, failures: RunResult['failures']): Promise<number> {
  const byKey = new Map(env.resources.map((r) => [r.key, r]));
  let deleted = 0;
  for (const entry of env.store.retired()) {
    const resource = byKey.get(entry.key);
    if (!resource || env.signal.aborted) continue;
    const ctx = createContext(env, resource, { outputs: (key) => env.store.get(key) ?? unknown });
    const actual = proveRetired(resource, ctx, entry.actual as unknown as Actual);
    const forget = () => env.store.removeRetired(entry.key, entry.actual.id);
    if (actual.unproved) {
      forget();
      await env.store.save();
      reportFailure(env, failures, entry.key, notDeleted(resource, actual), Date.now());
      continue;
    }
    const failure = await removeUnwanted(env, resource, actual, 'the replaced', forget);
    if (failure) failures.push({ key: entry.key, failure });
    else deleted++;
  }
  return deleted;
}
