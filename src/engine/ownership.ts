import type { Actual, AnyResource, ResourceContext } from './contract.js';
import type { StepFailure } from './failure.js';

/** Whether a dependency was found and is not this stack's: its reason, else undefined. */
export type ForeignLookup = (key: string) => string | undefined;

/**
 * The one place ownership is enforced (see the contract comment): every resource found, by the id in
 * state or by name, goes through here before plan, up or destroy decides what to do with it. What the
 * handler does not prove ours gets `foreign` (its own reason stays when it gave one) and `unproved`.
 * Lookups (hosted zone, network) are never changed, so there is nothing to prove.
 */
export function proveOwnership(
  resource: AnyResource,
  ctx: ResourceContext,
  actual: Actual,
  foreignDependency: ForeignLookup,
): Actual {
  if (resource.readOnly) return actual;
  const proof = resource.ownership(ctx, actual);
  const parent = proof.through?.find((key) => foreignDependency(key) !== undefined);
  const reason = proof.notProved ?? (parent ? `belongs to ${parent}, which is not this stack's` : undefined);
  if (reason) {
    actual.foreign ??= reason;
    actual.unproved = true;
  }
  return actual;
}

/**
 * A replaced resource kept under `retired` is deleted without being found again: the snapshot taken
 * when it was replaced (its tags, its recorded values) is the proof. A state file copied from another
 * stack carries that stack's evidence, so nothing of it is deleted. Returns a proved copy.
 */
export function proveRetired(resource: AnyResource, ctx: ResourceContext, snapshot: Actual): Actual {
  return proveOwnership(resource, ctx, { ...snapshot }, () => undefined);
}

/**
 * Whether `up` may take over a foreign resource. One not proved ours needs `--take-over KEY` or a yes
 * typed on a terminal (`--yes` never answers this); a DNS record that points elsewhere takes the usual
 * confirmation, which `--yes` gives.
 */
export async function mayTakeOver(
  resource: AnyResource,
  actual: Actual,
  ctx: ResourceContext,
  ask: (question: string) => Promise<boolean>,
): Promise<boolean> {
  const question = `${takeoverSubject(resource, actual)}. Take it over?`;
  if (!actual.unproved) return ctx.confirm(question);
  if (ctx.options.takeOver?.includes(resource.key)) return true;
  return !ctx.options.yes && ask(question);
}

/** "<title> <id> exists and is not this stack's (<reason>)". */
export function takeoverSubject(resource: AnyResource, actual: Actual): string {
  return `${resource.title} ${actual.id} exists and is not this stack's (${actual.foreign})`;
}

/** What `up` needs to change a resource not proved this stack's. */
export function takeoverHint(key: string): string {
  return `not this stack's: \`tekamolo up\` changes it only with \`--take-over ${key}\` (or a yes typed on a terminal)`;
}

/** Why `up` or `destroy` left a resource that is not this stack's: the run fails for it. */
export function notDeleted(resource: AnyResource, actual: Actual): StepFailure {
  return {
    message: `${resource.title} ${actual.id} is not this stack's (${actual.foreign}): not deleted`,
    hint: `delete it from the stack it belongs to; if the state file came from another stack, its "${resource.key}" entry was dropped`,
    userError: false,
  };
}
