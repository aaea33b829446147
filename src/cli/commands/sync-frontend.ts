import { setMaxListeners } from 'node:events';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ExitCode, WorkError } from '../../errors.js';
import type { BucketOutputs, DistributionOutputs } from '../../resources/outputs.js';
import { stampSync } from '../../sync/events.js';
import { HASH_CACHE_NAME } from '../../sync/hash-cache.js';
import { syncFrontend } from '../../sync/sync.js';
import { findSyncTarget } from '../../sync/target.js';
import type { CommandRunner, SyncOptions } from '../options.js';
import { openSession } from '../session.js';

/**
 * sync-frontend takes no state lock: it only reads the state (never writes it), and a deploy from CI
 * must not wait for an `up` that is waiting for CloudFront; uploading while `up` runs is safe, since
 * the bucket and distribution are either there (used) or not (a clear error). A running `destroy` is
 * different: it empties and deletes the bucket, so a sync then is refused.
 */
async function refuseDuringDestroy(statePath: string): Promise<string | undefined> {
  let holder: { pid?: unknown; host?: unknown; command?: unknown; startedAt?: unknown };
  try {
    holder = JSON.parse(await readFile(`${statePath}.lock`, 'utf8'));
  } catch {
    return undefined;
  }
  if (holder.host === hostname() && typeof holder.pid === 'number') {
    try {
      process.kill(holder.pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined; // a lock left by a dead run
    }
  }
  const who = `pid ${String(holder.pid)} on ${String(holder.host)} since ${String(holder.startedAt)}`;
  if (holder.command === 'destroy') {
    throw new WorkError(
      `a \`tekamolo destroy\` of this stack is running (${who}): not syncing into a bucket being deleted`,
      'wait for it to finish, then run `tekamolo up` and sync again',
    );
  }
  return `\`tekamolo ${String(holder.command)}\` is running on this stack (${who}); syncing anyway`;
}

function entry<T>(
  value: Record<string, unknown> | undefined,
  field: keyof T & string,
): Partial<T> | undefined {
  return value && typeof value[field] === 'string' ? (value as Partial<T>) : undefined;
}

export const run: CommandRunner<SyncOptions> = async (globals, options, tracer) => {
  // A dry run only reads; a real sync uploads but keeps no state: each gets its own Ctrl-C wording.
  const session = await openSession(globals, {
    command: 'sync-frontend',
    tracer,
    lock: false,
    readOnly: options.dryRun,
    stateless: !options.dryRun,
    view: 'transfer',
  });
  // Every S3 call listens on the Ctrl-C signal (the SDK's abortSignal) until its HTTP request closes, a
  // moment after the call resolves: --concurrency uploads pass Node's limit of 10 listeners, and then
  // some, without a leak. Node would print a MaxListenersExceededWarning in the middle of the output.
  setMaxListeners(0, session.signal);
  const { renderer } = session;
  try {
    const warning = await refuseDuringDestroy(session.store.path);
    const warn = (message: string) => renderer.sink(stampSync({ code: 'warning', message }));
    if (warning) warn(warning);

    const { config, dir: configDir, names, file: configFile } = session.loaded;
    const dir = options.dir ? resolve(options.dir) : resolve(configDir, config.frontend.dir);
    const lookup: Parameters<typeof findSyncTarget>[0] = {
      aws: session.aws,
      names,
      accountId: session.accountId,
      region: config.region,
      needDistribution: options.invalidate && !options.dryRun,
      warn,
    };
    const bucketState = entry<BucketOutputs>(session.store.get('bucket'), 'name');
    const distributionState = entry<DistributionOutputs>(session.store.get('distribution'), 'id');
    if (bucketState) lookup.bucketState = bucketState;
    if (distributionState) lookup.distributionState = distributionState;
    const target = await findSyncTarget(lookup);

    const settings: Parameters<typeof syncFrontend>[0]['settings'] = {
      dir,
      invalidationThreshold: config.frontend.invalidationThreshold,
      deleteStale: options.delete,
      dryRun: options.dryRun,
      invalidate: options.invalidate,
      waitForInvalidation: options.wait,
      concurrency: options.concurrency,
      waitIntervalMs: config.waits.pollSeconds * 1000,
      waitTimeoutMs: config.waits.distributionMinutes * 60_000,
    };
    if (config.frontend.cacheControl) settings.cacheRules = config.frontend.cacheControl;
    // Beside the state: local to this machine, like the state file (a CI job without it hashes all).
    settings.hashCacheFile = join(dirname(session.store.path), HASH_CACHE_NAME);
    settings.selection = {
      configFile,
      privatePaths: [
        { path: configFile, what: 'the config file' },
        // The state file's siblings: its lock and the temporary files of its atomic writes.
        { path: session.store.path, what: 'the state file', siblings: true },
        { path: settings.hashCacheFile, what: 'the hash cache', siblings: true },
        ...(dirname(session.store.path) !== configDir
          ? [{ path: dirname(session.store.path), what: 'the state folder' }]
          : []),
        ...(config.backend.userData
          ? [{ path: resolve(configDir, config.backend.userData), what: 'the user-data file' }]
          : []),
      ],
    };
    if (config.frontend.include) settings.selection.include = config.frontend.include;
    if (config.frontend.exclude) settings.selection.exclude = config.frontend.exclude;
    await syncFrontend({
      aws: session.aws,
      target,
      settings,
      emit: renderer.sink,
      signal: session.signal,
    });
    return ExitCode.ok;
  } finally {
    await session.close();
  }
};
