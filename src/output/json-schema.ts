import { z } from 'zod';
import { STATE_VERSION } from '../state/types.js';
import { STATUS_STATES } from '../status/row.js';
import { JSON_VERSION } from './message.js';

/**
 * The JSON contract of every command (docs/json.md lists the same fields), as zod schemas: the tests
 * check each command's `--json` output against them. Objects are strict, so that a field added to the
 * output without being added here (and to the docs) fails a test.
 */

const version = z.literal(JSON_VERSION);
const count = z.number().int().min(0);
const awsCalls = z.object({ total: count, changing: count }).strict();
const scope = z
  .object({ account: z.string(), partition: z.string(), region: z.string(), profile: z.string().nullable() })
  .strict();
const change = z
  .object({
    field: z.string(),
    from: z.unknown(),
    to: z.unknown(),
    action: z.enum(['update', 'replace']),
    reason: z.string().optional(),
  })
  .strict();
const health = z
  .object({ state: z.enum(['ok', 'pending', 'unhealthy']), detail: z.string().optional() })
  .strict();
const issue = z
  .object({
    file: z.string(),
    line: count,
    column: count,
    path: z.string(),
    message: z.string(),
    found: z.string().optional(),
    expected: z.string().optional(),
    suggestion: z.string().optional(),
  })
  .strict();
const planAction = z.enum(['create', 'update', 'replace', 'takeover', 'noop', 'delete']);
const money = z.number().min(0);
/** The estimated monthly cost at rest (src/cost/estimate.ts), in `plan` and `outputs`. */
const cost = z
  .object({
    estimate: z.literal(true),
    currency: z.literal('USD'),
    region: z.string(),
    pricesAsOf: z.string(),
    monthly: money.nullable(),
    items: z.array(z.object({ name: z.string(), detail: z.string(), monthly: money.nullable() }).strict()),
    usagePriced: z.array(z.string()),
    note: z.string().nullable(),
  })
  .strict();

export const validateDocument = z
  .object({
    version,
    command: z.literal('validate'),
    ok: z.boolean(),
    file: z.string(),
    issues: z.array(issue),
    warnings: z.array(issue),
    awsCalls,
  })
  .strict();

export const initDocument = z
  .object({
    version,
    command: z.literal('init'),
    ok: z.literal(true),
    file: z.string(),
    stack: z.string(),
    region: z.string(),
    domain: z.string(),
    awsCalls,
  })
  .strict();

export const planDocument = z
  .object({
    version,
    command: z.literal('plan'),
    ok: z.boolean(),
    stack: z.string(),
    scope: scope.optional(),
    resources: z.array(
      z
        .object({
          key: z.string(),
          title: z.string(),
          action: z.enum(['create', 'update', 'replace', 'takeover', 'noop']),
          id: z.string().optional(),
          changes: z.array(change),
          reason: z.string().optional(),
          error: z.string().optional(),
          hint: z.string().optional(),
          kept: z.array(z.string()).optional(),
          badInput: z.boolean().optional(),
        })
        .strict(),
    ),
    leftovers: z.array(
      z
        .object({
          key: z.string(),
          title: z.string(),
          id: z.string(),
          region: z.string(),
          reason: z.string(),
        })
        .strict(),
    ),
    summary: z
      .object({
        create: count,
        update: count,
        replace: count,
        takeover: count,
        noop: count,
        leftover: count,
        errors: count,
      })
      .strict(),
    summaryLine: z.string(),
    cost,
    awsCalls,
  })
  .strict();

export const destroyPlanDocument = z
  .object({
    version,
    command: z.literal('plan'),
    destroy: z.literal(true),
    ok: z.boolean(),
    stack: z.string(),
    scope: scope.optional(),
    resources: z.array(
      z
        .object({
          key: z.string(),
          title: z.string(),
          action: z.enum(['delete', 'keep', 'absent']),
          actual: z.object({ id: z.string(), foreign: z.string().optional() }).strict().optional(),
          reason: z.string().optional(),
          detail: z.string().optional(),
          error: z.string().optional(),
          hint: z.string().optional(),
        })
        .strict(),
    ),
    retired: z.array(z.object({ key: z.string(), id: z.string() }).strict()),
    leftovers: z.array(
      z.object({ key: z.string(), title: z.string(), id: z.string(), region: z.string() }).strict(),
    ),
    summary: z.object({ delete: count, keep: count, errors: count }).strict(),
    summaryLine: z.string(),
    awsCalls,
  })
  .strict();

export const outputsDocument = z
  .object({
    version,
    command: z.literal('outputs'),
    ok: z.boolean(),
    stack: z.string(),
    stage: z.string().nullable(),
    account: z.string(),
    region: z.string(),
    urls: z
      .object({ site: z.array(z.string()), api: z.string(), cloudfront: z.string().nullable() })
      .strict(),
    bucket: z.string().nullable(),
    distribution: z.object({ id: z.string(), domainName: z.string() }).strict().nullable(),
    loadBalancer: z.object({ dnsName: z.string() }).strict().nullable(),
    elasticIp: z.string().nullable(),
    instances: z.array(z.string()),
    missing: z.array(z.string()),
    cost,
    awsCalls,
  })
  .strict();

const policyStatement = z
  .object({
    Sid: z.string(),
    Effect: z.literal('Allow'),
    Action: z.array(z.string()),
    Resource: z.array(z.string()),
    Condition: z
      .record(z.string(), z.record(z.string(), z.union([z.string(), z.array(z.string())])))
      .optional(),
  })
  .strict();

export const policyDocument = z
  .object({
    version,
    command: z.literal('policy'),
    ok: z.literal(true),
    stack: z.string(),
    region: z.string(),
    for: z.enum(['all', 'plan', 'status']),
    policy: z.object({ Version: z.literal('2012-10-17'), Statement: z.array(policyStatement) }).strict(),
    reasons: z.record(z.string(), z.string()),
    characters: count,
    managedPolicyLimit: count,
    awsCalls,
  })
  .strict();

export const completionDocument = z
  .object({
    version,
    command: z.literal('completion'),
    ok: z.literal(true),
    shell: z.enum(['bash', 'zsh', 'fish']),
    script: z.string(),
    awsCalls,
  })
  .strict();

export const connectDocument = z
  .object({
    version,
    command: z.literal('connect'),
    ok: z.literal(true),
    instance: z.string(),
    region: z.string(),
    argv: z.array(z.string()),
    awsCalls,
  })
  .strict();

const statusState = z.enum(STATUS_STATES);

export const statusDocument = z
  .object({
    version,
    command: z.literal('status'),
    ok: z.boolean(),
    stack: z.string(),
    scope: scope.nullable(),
    time: z.iso.datetime(),
    durationMs: count,
    stateFile: z.object({ path: z.string(), exists: z.boolean() }).strict(),
    resources: z.array(
      z
        .object({
          key: z.string(),
          title: z.string(),
          state: statusState,
          id: z.string().nullable(),
          shortId: z.string().nullable(),
          detail: z.string().nullable(),
          health: health.nullable(),
          changes: z.array(change),
          reason: z.string().nullable(),
          error: z.string().nullable(),
          hint: z.string().nullable(),
        })
        .strict(),
    ),
    summary: z
      .object({
        ok: z.boolean(),
        counts: z.record(statusState, count),
        urls: z
          .object({ site: z.array(z.string()), api: z.string(), cloudfront: z.string().nullable() })
          .strict(),
        nextSteps: z.array(z.string()),
      })
      .strict(),
    awsCalls,
  })
  .strict();

/** The state file as `state pull` shows it (secret fields replaced unless `--show-secrets`). */
const stateFile = z
  .object({
    version: z.literal(STATE_VERSION),
    stack: z.string(),
    updatedAt: z.string(),
    account: z.object({ id: z.string(), partition: z.string() }).strict().optional(),
    resources: z.record(z.string(), z.record(z.string(), z.unknown())),
    retired: z
      .array(z.object({ key: z.string(), actual: z.record(z.string(), z.unknown()) }).strict())
      .optional(),
  })
  .strict();

export const statePullDocument = z
  .object({
    version,
    command: z.literal('state pull'),
    ok: z.literal(true),
    location: z.string(),
    state: stateFile,
    awsCalls,
  })
  .strict();

export const statePushDocument = z
  .object({
    version,
    command: z.literal('state push'),
    ok: z.literal(true),
    from: z.string(),
    to: z.string(),
    pushed: z.boolean(),
    awsCalls,
  })
  .strict();

export const stateHistoryDocument = z
  .object({
    version,
    command: z.literal('state history'),
    ok: z.literal(true),
    location: z.string(),
    versions: z.array(
      z
        .object({
          time: z.string(),
          versionId: z.string(),
          latest: z.boolean(),
          deleted: z.boolean(),
          command: z.string().optional(),
          by: z.string().optional(),
        })
        .strict(),
    ),
    awsCalls,
  })
  .strict();

export const unlockDocument = z
  .object({
    version,
    command: z.literal('unlock'),
    ok: z.literal(true),
    lockId: z.string(),
    lock: z.string(),
    unlocked: z.boolean(),
    awsCalls,
  })
  .strict();

/** The fields every event carries. */
const event = <C extends string, S extends z.ZodRawShape>(code: C, shape: S) =>
  z
    .object({
      version,
      time: z.iso.datetime(),
      level: z.enum(['debug', 'info', 'warn', 'error']),
      code: z.literal(code),
      ...shape,
    })
    .strict();

const plannedItem = z.object({ key: z.string(), reason: z.string(), bytes: count.optional() }).strict();

/** Events of up and destroy (`run-*`, `resource-*`) and of sync-frontend (`sync-*`), and the error. */
export const eventLine = z.discriminatedUnion('code', [
  event('run-started', { command: z.string(), stack: z.string(), resources: count, scope: scope.optional() }),
  event('resource-started', { key: z.string(), title: z.string(), action: planAction }),
  event('resource-progress', { key: z.string(), message: z.string() }),
  event('resource-waiting', { key: z.string(), message: z.string(), elapsedMs: count }),
  event('resource-done', {
    key: z.string(),
    action: planAction,
    id: z.string().optional(),
    durationMs: count,
    changes: z.array(change).optional(),
  }),
  event('resource-failed', {
    key: z.string(),
    error: z.string(),
    hint: z.string().optional(),
    durationMs: count,
  }),
  event('resource-skipped', { key: z.string(), reason: z.string() }),
  event('resource-health', { key: z.string(), health }),
  event('warning', { message: z.string(), key: z.string().optional() }),
  event('info', { message: z.string() }),
  event('run-finished', {
    command: z.string(),
    ok: z.boolean(),
    durationMs: count,
    counts: z.record(z.string(), count),
    awsCalls,
  }),
  event('sync-started', {
    bucket: z.string(),
    distributionId: z.string().optional(),
    dir: z.string(),
    dryRun: z.boolean(),
  }),
  event('sync-scanned', {
    files: count,
    bytes: count,
    skipped: z.array(z.string()),
    excluded: z.array(z.object({ key: z.string(), reason: z.string() }).strict()),
  }),
  event('sync-planned', {
    uploads: z.array(plannedItem),
    metadataUpdates: z.array(plannedItem),
    unchanged: count,
    deletes: z.array(z.string()),
    keeps: z.array(z.string()),
    invalidationPaths: z.array(z.string()),
    uploadBytes: count,
  }),
  event('sync-phase', { phase: z.enum(['assets', 'html', 'delete']), files: count, bytes: count }),
  event('sync-progress', {
    filesDone: count,
    filesTotal: count,
    bytesDone: count,
    bytesTotal: count,
    bytesPerSecond: z.number().min(0),
    etaSeconds: z.number().min(0).optional(),
  }),
  event('sync-invalidation', { id: z.string(), paths: z.array(z.string()), status: z.string() }),
  event('sync-waiting', { message: z.string(), elapsedMs: count }),
  event('sync-finished', {
    ok: z.literal(true),
    summary: z
      .object({
        dryRun: z.boolean(),
        bucket: z.string(),
        distributionId: z.string().optional(),
        files: count,
        skipped: count,
        hashed: count,
        uploaded: count,
        uploadedNew: count,
        unchanged: count,
        metadataUpdated: count,
        deleted: count,
        kept: count,
        bytesUploaded: count,
        invalidatedPaths: count,
        invalidationId: z.string().optional(),
        invalidationStatus: z.string().optional(),
        durationMs: count,
      })
      .strict(),
    awsCalls,
  }),
  event('error', {
    ok: z.literal(false),
    error: z.string(),
    hint: z.string().optional(),
    exitCode: count,
    awsCalls,
  }),
]);

/** The codes that end a command's stream of events: each carries `ok` and `awsCalls`. */
export const FINAL_CODES = ['run-finished', 'sync-finished', 'error'] as const;
