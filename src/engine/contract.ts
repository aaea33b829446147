import type { Aws } from '../aws/clients.js';
import type { Names } from '../config/names.js';
import type { Config } from '../config/schema.js';
import { WorkError } from '../errors.js';
import type { ResourceState } from '../state/types.js';
import { RESOURCE_TAG, STACK_TAG } from '../tags.js';

/**
 * The resource contract (ARCHITECTURE §2). Each resource kind is one file under src/resources/ that
 * exports one handler with these parts, in this order:
 * key, dependsOn, desired, find, ownership, diff, create, update, delete, wait, then outputs, describe,
 * health.
 *
 * Ownership is the engine's rule, not each handler's. A state file is a hint, never a proof: people
 * copy folders, restore backups and point two configs at one state. So every resource found, however
 * it was found (the id saved in state or the name), is proved this stack's before the engine updates,
 * replaces or deletes it. Each handler says how (`ownership`): the `tekamolo:stack` tag for everything
 * that carries tags; for what carries none (record sets, listener rules, bucket-policy statements, the
 * OAC, the CloudFront Function) the exact values tekamolo recorded when it wrote them, or a proved
 * parent (`through`). One place enforces it for every kind (engine/ownership.ts). What is not proved
 * is *foreign*: plan and status show it with the reason; `up` changes it only after an explicit
 * takeover (`--take-over KEY`, or a yes on a terminal; `--yes` alone never takes anything over);
 * destroy never deletes it, names it and exits 1. A DNS record that points elsewhere stays what it
 * was: shown, and overwritten only after a confirmation (`--yes` counts).
 *
 * Rules every handler keeps:
 * - `find` looks by the id saved in state first, then by deterministic name / tag / idempotency token,
 *   so a crash or a lost state file is harmless. A not-found error becomes `undefined`; any other
 *   error is thrown. Tags (or the values `ownership` compares) are read whichever way the resource
 *   was found. A DNS record that points elsewhere is returned with `foreign` set by the handler.
 * - `create` passes an idempotency token where the API has one (ACM IdempotencyToken, CloudFront and
 *   Route 53 CallerReference, EC2 ClientToken) and calls `ctx.record` with the id the moment AWS
 *   returns it, before any further call. A failed create leaves nothing behind that `find` cannot see.
 * - `update` changes only what `diff` reported; a failed update means the resource still exists.
 * - `delete` succeeds when the resource is already gone. A failed delete means it still exists.
 * - `diff` treats a field the read did not return at all (undefined in `actual`) as unknown, never
 *   as different: some APIs (and emulators) leave fields out of what they read back.
 * - Retries for AWS eventual consistency sit at the call site, name the AWS cause in a comment, and
 *   are bounded. Never retry to paper over wrong ordering.
 */

/** What every actual state carries. */
export interface Actual {
  /** The AWS id (ARN, id or name) used in status and state. */
  id: string;
  /**
   * Set when the thing found is not this stack's (no stack tag, a record pointing elsewhere): says
   * why, e.g. "record points to d111.cloudfront.net". Such a resource is a takeover on `up` and is
   * never deleted by `destroy`.
   */
  foreign?: string;
  /**
   * Set by the engine when `ownership` did not prove it this stack's: only an explicit takeover
   * (`--take-over KEY` or a yes on a terminal) changes it, never `--yes`.
   */
  unproved?: boolean;
  /**
   * Parts of the resource that tekamolo does not model and leaves as they are on update (a cache
   * behaviour someone added for another path), one short line each: `plan` shows them as kept.
   * Where the resource is wholly ours (security group rules), nothing is kept: extras are drift.
   */
  kept?: string[];
}

/**
 * How a found resource is proved this stack's (see the contract comment above). Proved when
 * `notProved` is absent and every resource named in `through` is proved too.
 */
export interface Ownership {
  /** Why the resource's own evidence (tag, recorded values) does not prove it ours. */
  notProved?: string;
  /** The dependencies it was found through or belongs to: it is foreign when one of them is. */
  through?: string[];
}

export type ChangeAction = 'update' | 'replace';

/** One field that differs between desired and actual. */
export interface Change {
  field: string;
  from: unknown;
  to: unknown;
  action: ChangeAction;
  /** Why this change forces a replacement, or any other note for the plan. */
  reason?: string;
}

/** How `plan` shows a value it cannot know before `up` (see `Unknown`). */
export const UNKNOWN = '(known after up)';

/**
 * A value `plan` cannot know yet: the outputs of a dependency that does not exist yet or will be
 * replaced, and whatever a desired state takes from them. A type of its own, so that a field typed
 * `string[]` is never a string at run time and every reader says what it does with an unknown.
 * Shown (and written to JSON) as UNKNOWN.
 */
export class Unknown {
  toString(): string {
    return UNKNOWN;
  }
  toJSON(): string {
    return UNKNOWN;
  }
}

/** The one unknown value. */
export const unknown: Unknown = Object.freeze(new Unknown());

export function isUnknown(value: unknown): value is Unknown {
  return value instanceof Unknown;
}

/** The value, or undefined when it is not known yet. */
export function known<T>(value: T | Unknown): T | undefined {
  return isUnknown(value) ? undefined : value;
}

/**
 * The value, for a call that changes AWS. Unknown values exist only in `plan`; one here means a
 * dependency was not applied first.
 */
export function knownValue<T>(value: T | Unknown, what: string): T {
  if (isUnknown(value)) throw new WorkError(`${what} is not known yet`);
  return value;
}

/** One field of a dependency's outputs: unknown when the outputs are. */
export function outputField<O, F extends keyof O>(outputs: O | Unknown, field: F): O[F] | Unknown {
  return isUnknown(outputs) ? unknown : outputs[field];
}

/** A value as plan shows it: every unknown in it (also in lists and objects) as UNKNOWN. */
export function shown(value: unknown): unknown {
  if (isUnknown(value)) return UNKNOWN;
  if (Array.isArray(value)) return value.map(shown);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shown(v)]));
  }
  return value;
}

/**
 * Resource key → the outputs it hands to dependents (undefined in the type where the resource can
 * be disabled for a config). Empty here so that the engine imports no resource: the resources fill
 * it in (src/resources/outputs.ts, by declaration merging), which types `ctx.output(key)` and makes
 * a key that is not in the map a type error.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by src/resources/outputs.ts
export interface OutputsByKey {}

export type ResourceKey = keyof OutputsByKey;

/**
 * The output fields an `update` may hand to dependents as unknown (`outputsChangedBy`): exactly those
 * its outputs type declares `T | Unknown`, so that every dependent that reads one has to say what it
 * does with an unknown, and a field typed plain `T` can never be one at run time.
 */
export type ChangeableFields<O> = { [K in keyof O]-?: Unknown extends O[K] ? K : never }[keyof O] & string;

/**
 * How a resource kind is recognised among everything that carries the stack's tag, and the state
 * entry its handler's `find` looks it up by (its id first, as after any `up`).
 */
export interface TaggedKind {
  /** `service:resource-type` as in the ARN (aws/tagged-resources.ts). */
  type: string;
  saved(id: string, region: string): ResourceState;
}

export type Health =
  | { state: 'ok'; detail?: string }
  | { state: 'pending'; detail: string }
  | { state: 'unhealthy'; detail: string };

export interface RunOptions {
  /** `up --no-wait` / `destroy --no-wait`: do not wait for slow AWS convergence where allowed. */
  wait: boolean;
  /** `--yes`: confirmations count as given. */
  yes: boolean;
  /** `plan`, `status`: read-only. Handlers never see a create/update/delete call in this mode. */
  readOnly: boolean;
  /** `destroy --keep-bucket`: the bucket and its objects stay. */
  keepBucket: boolean;
  /** `up --take-over KEY`: resources not proved this stack's that the user takes over. */
  takeOver?: string[];
}

/** What a handler gets for every call. */
export interface ResourceContext {
  config: Config;
  /** Folder of the config file: relative paths in the config are relative to it. */
  configDir: string;
  names: Names;
  /** The AWS account id from the preflight. */
  accountId: string;
  aws: Aws;
  options: RunOptions;
  /** This resource's entry in the state file (empty object when none). */
  saved: ResourceState;
  /**
   * Write attributes to this resource's state entry and save the state file at once. Used by `create`
   * the moment AWS returns an id, and by multi-step operations (destroy of a distribution) to record
   * which step was reached.
   */
  record(attributes: ResourceState): Promise<void>;
  /**
   * The outputs of a dependency (declared in `dependsOn`, checked when called). In `plan`, the outputs
   * of a dependency that does not exist yet or will be replaced are `unknown`. A dependency that is
   * not enabled for this config gives undefined.
   */
  output<K extends ResourceKey>(key: K): OutputsByKey[K] | Unknown;
  /** Tags for this resource: tekamolo:stack, tekamolo:resource and the config's tags. */
  tags: Record<string, string>;
  /** Say what is happening now ("requesting certificate", "waiting for Deployed: InProgress"). */
  progress(message: string): void;
  /** A wait has started or continues: shown with its elapsed time. */
  waiting(message: string, elapsedMs: number): void;
  /** A warning the user should see, kept in the final output. */
  warn(message: string): void;
  /** Ask the user (or `--yes`). Without a terminal and without `--yes` the answer is no. */
  confirm(question: string): Promise<boolean>;
  /** Aborted on Ctrl-C: waits stop, no new call starts. */
  signal: AbortSignal;
}

export interface Resource<D = unknown, A extends Actual = Actual, O = Record<string, unknown>> {
  /** Stable key: the state entry's name, the tekamolo:resource tag value, the row in plan/status. */
  key: string;
  /** Human name shown beside the key ("CloudFront distribution"). */
  title: string;
  /** Keys of the resources this one needs. A dependency that is not enabled for the config is dropped. */
  dependsOn: string[];
  /**
   * Dependencies that destroy deletes before this one, against the usual reverse order: what keeps a
   * dependency working while it is being deleted (the bucket policy that lets a distribution being
   * disabled still read the bucket).
   */
  deleteAfter?: string[];
  /** Whether the resource is part of the stack for this config (e.g. the origin certificate). */
  enabled?(config: Config): boolean;
  /**
   * Looked up, never created or deleted (hosted zone, network). `create` of such a resource throws a
   * UserError that says what to do.
   */
  readOnly?: boolean;
  desired(ctx: ResourceContext): Promise<D> | D;
  find(ctx: ResourceContext): Promise<A | undefined>;
  /**
   * How ownership of what `find` returned is proved. Required: the engine calls it for every resource
   * found, before any update, replacement or deletion.
   */
  ownership(ctx: ResourceContext, actual: A): Ownership;
  diff(desired: D, actual: A): Change[];
  create(ctx: ResourceContext, desired: D): Promise<A>;
  update(ctx: ResourceContext, desired: D, actual: A, changes: Change[]): Promise<A>;
  /**
   * Delete, waiting until AWS has really let go where later deletes depend on it (ASG instances gone,
   * ALB gone). May resolve to 'pending' only when `ctx.options.wait` is false: the deletion was started
   * (a distribution being disabled) and the next destroy finishes it.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: handlers that never leave a deletion pending return nothing
  delete(ctx: ResourceContext, actual: A): Promise<void | 'pending'>;
  /** Wait until the resource is usable (where AWS is asynchronous). Skipped with `--no-wait` if `optionalWait`. */
  wait?(ctx: ResourceContext, actual: A): Promise<A>;
  /** Whether `--no-wait` may skip `wait` (CloudFront deployment, instance refresh). */
  optionalWait?: boolean;
  /**
   * Dependents start as soon as this resource is created or updated (its outputs are known), while
   * its `wait` goes on: a listener can be added to a provisioning ALB, DNS aliases can point at a
   * distribution that is still deploying. Set this when dependents need the resource *ready*
   * (certificate validation: a listener cannot use a pending certificate).
   */
  readyBeforeDependents?: boolean;
  /** What dependents and later runs need; saved in state. Must be JSON. */
  outputs(actual: A): O;
  /**
   * Outputs that an `update` changes (a launch template's version): `plan` hands them to dependents
   * as unknown, so that what follows from them (an instance refresh) shows before `up` runs. Only
   * fields typed `T | Unknown` in the outputs type can be named (ChangeableFields).
   */
  outputsChangedBy?(changes: Change[]): ChangeableFields<O>[];
  /** Status: a short detail line ("ISSUED, expires 2027-01-02", "2/2 healthy"). */
  describe?(ctx: ResourceContext, actual: A): Promise<string> | string;
  /** Status: health beyond existence and sync. */
  health?(ctx: ResourceContext, actual: A): Promise<Health>;
}

/** A handler with its generic parameters erased, as the engine holds them. */
// biome-ignore lint/suspicious/noExplicitAny: the engine holds handlers of every kind in one list
export type AnyResource = Resource<any, any, any>;

/** Tags every taggable resource carries. */
export function stackTags(config: Config, key: string): Record<string, string> {
  return { ...config.tags, [STACK_TAG]: config.stack, [RESOURCE_TAG]: key };
}

export { RESOURCE_TAG, STACK_TAG };

/** Ownership proved by the `tekamolo:stack` tag (undefined tags: not read, so not proved). */
export function taggedOwnership(
  config: Config,
  tags: Record<string, string> | undefined,
  what: string,
): Ownership {
  const owner = tags?.[STACK_TAG];
  if (owner === config.stack) return {};
  if (owner) return { notProved: `${what} belongs to tekamolo stack ${owner}` };
  return { notProved: `${what} has no ${STACK_TAG}=${config.stack} tag` };
}

/** AWS SDK tag lists: [{ Key, Value }]. */
export function tagList(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export function tagMap(list: { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  for (const t of list ?? []) if (t.Key) map[t.Key] = t.Value ?? '';
  return map;
}

/** Compare one field; undefined actual means "not returned": unknown, not different. */
export function fieldChange(
  field: string,
  desired: unknown,
  actual: unknown,
  action: ChangeAction = 'update',
  reason?: string,
): Change[] {
  if (actual === undefined) return [];
  if (JSON.stringify(desired) === JSON.stringify(actual)) return [];
  const change: Change = { field, from: actual, to: shown(desired), action };
  if (reason) change.reason = reason;
  return [change];
}
