import { type Stats, statSync } from 'node:fs';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import pMap from 'p-map';
import type { Aws } from '../aws/clients.js';
import { describeAwsError } from '../aws/errors.js';
import { InterruptedError, UserError, WorkError } from '../errors.js';
import type { CacheRule } from './cache-rules.js';
import type { SyncEventInput, SyncListener, SyncPhase, SyncSummary } from './events.js';
import { stampSync } from './events.js';
import { expectedEtag } from './fingerprint.js';
import { type FileStamp, HashCache } from './hash-cache.js';
import { createInvalidation, type InvalidationResult, waitForInvalidation } from './invalidate.js';
import { startListing } from './listing.js';
import {
  CONTENT_CACHE_BYTES,
  ContentCache,
  checkAborted,
  completeFingerprints,
  describeFiles,
} from './local-files.js';
import { emptyManifest, MANIFEST_KEY, type Manifest, serializeManifest } from './manifest.js';
import { isMultipart } from './multipart-etag.js';
import {
  type LocalObject,
  type PlannedMetadataUpdate,
  type PlannedUpload,
  planSync,
  type SyncPlan,
} from './plan.js';
import { TransferProgress } from './progress.js';
import { type RemoteObject, readManifest } from './remote.js';
import { type ScanOptions, scanFolder } from './scan.js';
import type { SyncTarget } from './target.js';
import { deleteKeys, replaceMetadata, uploadFile } from './transfer.js';

export interface SyncSettings {
  dir: string;
  /** What is published of the folder (include/exclude, tekamolo's own files): see selection.ts. */
  selection?: ScanOptions;
  /** The local hash cache file (hash-cache.ts); none kept when undefined. */
  hashCacheFile?: string;
  cacheRules?: CacheRule[];
  invalidationThreshold: number;
  /** --delete */
  deleteStale: boolean;
  dryRun: boolean;
  /** false with --no-invalidate */
  invalidate: boolean;
  /** --wait: wait until the invalidation is complete. */
  waitForInvalidation: boolean;
  /** Parallel requests (and parallel file reads while hashing). */
  concurrency: number;
  waitIntervalMs: number;
  waitTimeoutMs: number;
}

export interface SyncRun {
  aws: Aws;
  target: SyncTarget;
  settings: SyncSettings;
  emit: SyncListener;
  signal?: AbortSignal;
}

/**
 * Sync a build folder to the bucket by content (ARCHITECTURE §4):
 * scan → hash (while the bucket is listed) → plan → assets → HTML → deletions → manifest →
 * one invalidation. Each phase starts only when the one before succeeded completely, so the site never
 * serves HTML whose assets are missing.
 */
export async function syncFrontend(run: SyncRun): Promise<SyncSummary> {
  const { aws, target, settings, signal } = run;
  const emit = (event: SyncEventInput) => run.emit(stampSync(event));
  const started = new Date();
  const s3 = aws.bucket(target.bucket, target.region);
  const distributionId = settings.invalidate ? target.distributionId : undefined;

  emit({
    code: 'sync-started',
    bucket: target.bucket,
    ...(target.distributionId ? { distributionId: target.distributionId } : {}),
    dir: settings.dir,
    dryRun: settings.dryRun,
  });

  // The bucket is read while the folder is scanned and hashed: neither waits for the other.
  const reads = new AbortController();
  const readSignal = signal ? AbortSignal.any([signal, reads.signal]) : reads.signal;
  const listing = startListing(s3, target.bucket, readSignal);
  let manifestDenied: string | undefined;
  const manifestRead = readManifest(s3, target.bucket, readSignal, (message) => {
    manifestDenied = message;
  });
  manifestRead.catch(() => undefined);
  // A sync that stops before it has used the reads (a bad file name, Ctrl-C) cancels them and waits for
  // their end: a run must not return with calls in flight, which would end after it, in its trace file.
  const stopReading = async (error: unknown): Promise<never> => {
    reads.abort();
    await Promise.allSettled([listing.settled(), manifestRead]);
    throw error;
  };

  const scan = await scanFolder(settings.dir, settings.selection).catch(stopReading);
  for (const reason of scan.skipped) emit({ code: 'warning', message: `skipped ${reason}` });
  for (const key of scan.includedSecrets) {
    emit({
      code: 'warning',
      message: `${key} looks like a secret and is published because frontend.include names it: anyone can download it`,
    });
  }
  emit({
    code: 'sync-scanned',
    files: scan.files.length,
    bytes: scan.files.reduce((sum, f) => sum + f.size, 0),
    skipped: scan.skipped,
    excluded: scan.excluded,
  });
  const remoteRead = Promise.all([listing.complete(scan.files.map((f) => f.key)), manifestRead]);
  remoteRead.catch(() => undefined);

  const contents = new ContentCache(CONTENT_CACHE_BYTES);
  const hashes = await HashCache.load(settings.hashCacheFile, scan.root);
  const { local, hashed } = await describeFiles(
    scan.files,
    settings,
    contents,
    hashes,
    signal,
    // Which bytes are worth keeping for the upload, from the pages listed so far: those of a file the
    // bucket does not hold, or holds at another size. One it holds at this size most likely goes
    // nowhere (a fresh checkout or build, where every mtime is new and the hash cache knows nothing, is
    // the common re-sync), and so does one the listing has not reached yet: a bucket big enough to be
    // listed slowly is a re-sync's. A wrong guess costs one more read of the file at its upload (a
    // file changed in between is then refused by S3 through Content-MD5, not sent as hashed).
    (file) => {
      const remote = listing.peek(file.key);
      return remote === 'absent' || (remote !== 'unknown' && remote.size !== file.size);
    },
  ).catch(stopReading);
  const [remote, loadedManifest] = await remoteRead.catch((error: unknown) =>
    stopReading(asWorkError(error, `reading the objects of s3://${target.bucket}`)),
  );
  // A manifest that may not be read matters only when there is one (not on the first sync).
  if (manifestDenied && remote.has(MANIFEST_KEY)) emit({ code: 'warning', message: manifestDenied });
  await completeFingerprints(local, remote, settings, hashes, signal);
  if (!settings.dryRun) {
    // Only a hint for the next sync: a cache that cannot be written costs a re-read, nothing else.
    await hashes.save().catch((error: unknown) =>
      emit({
        code: 'warning',
        message: `the hash cache ${settings.hashCacheFile} was not saved: ${(error as Error).message}`,
      }),
    );
  }
  const manifest = loadedManifest ?? emptyManifest();

  const plan = planSync(local, remote, manifest, {
    deleteStale: settings.deleteStale,
    invalidationThreshold: settings.invalidationThreshold,
  });
  emitPlan(emit, plan);
  contents.keepOnly(new Set(plan.uploads.map((u) => u.key)));

  const summary: SyncSummary = {
    dryRun: settings.dryRun,
    bucket: target.bucket,
    files: local.length,
    skipped: scan.skipped.length + scan.excluded.length,
    hashed,
    uploaded: plan.uploads.length,
    uploadedNew: plan.uploads.filter((u) => u.reason === 'new').length,
    unchanged: plan.unchanged.length,
    metadataUpdated: plan.metadataUpdates.length,
    deleted: plan.deleteStale ? plan.stale.length : 0,
    kept: plan.deleteStale ? 0 : plan.stale.length,
    bytesUploaded: plan.uploadBytes,
    invalidatedPaths: distributionId ? plan.invalidationPaths.length : 0,
    durationMs: 0,
  };
  if (target.distributionId) summary.distributionId = target.distributionId;

  if (settings.dryRun) {
    summary.durationMs = Date.now() - started.getTime();
    emit({ code: 'sync-finished', ok: true, summary, awsCalls: aws.tracer.calls() });
    return summary;
  }

  const etags = new Map<string, string>();
  const mismatches: string[] = [];
  const changedWhileSyncing: string[] = [];
  const progress = new TransferProgress(
    plan.uploads.length + plan.metadataUpdates.length,
    plan.uploadBytes,
    emit,
  );
  const transfer = async (phase: SyncPhase, uploads: PlannedUpload[], updates: PlannedMetadataUpdate[]) => {
    if (uploads.length + updates.length === 0) return;
    emit({ code: 'sync-phase', phase, files: uploads.length + updates.length, bytes: sum(uploads) });
    await runTransfers(s3, target.bucket, uploads, updates, {
      concurrency: settings.concurrency,
      progress,
      etags,
      mismatches,
      changedWhileSyncing,
      contents,
      signal,
    });
    progress.flush();
  };

  await transfer(
    'assets',
    plan.uploads.filter((u) => !u.html),
    plan.metadataUpdates.filter((m) => !m.html),
  );
  await transfer(
    'html',
    plan.uploads.filter((u) => u.html),
    plan.metadataUpdates.filter((m) => m.html),
  );
  if (changedWhileSyncing.length > 0) {
    emit({
      code: 'warning',
      message:
        `${changedWhileSyncing.length} file(s) changed while the sync ran (e.g. ${changedWhileSyncing[0]}): ` +
        'the bucket holds the bytes read for the upload; sync again once the build is done',
    });
  }
  if (mismatches.length > 0) {
    emit({
      code: 'warning',
      message:
        `S3 reported other ETags than the MD5 of the bytes sent for ${mismatches.length} object(s) (e.g. ${mismatches[0]}): ` +
        'with SSE-KMS encryption ETags are not MD5s and every sync uploads everything again',
    });
  }

  if (plan.deleteStale && plan.stale.length > 0) {
    emit({ code: 'sync-phase', phase: 'delete', files: plan.stale.length, bytes: 0 });
    checkAborted(signal);
    try {
      await deleteKeys(s3, target.bucket, plan.stale, undefined, signal);
    } catch (error) {
      throw asWorkError(error, `deleting ${plan.stale.length} stale objects from ${target.bucket}`);
    }
  }

  await saveManifest(s3, target.bucket, local, remote, manifest, loadedManifest, plan, etags, signal);

  if (distributionId && plan.invalidationPaths.length > 0) {
    checkAborted(signal);
    const invalidation = await invalidate(
      aws,
      distributionId,
      plan.invalidationPaths,
      started,
      settings,
      emit,
      signal,
    );
    summary.invalidationId = invalidation.id;
    summary.invalidationStatus = invalidation.status;
  }

  summary.durationMs = Date.now() - started.getTime();
  emit({ code: 'sync-finished', ok: true, summary, awsCalls: aws.tracer.calls() });
  return summary;
}

/** Whether a file's size, mtime or inode are no longer those scanned (or it can no longer be seen). */
function changedSince(file: { path: string; stamp: FileStamp }): boolean {
  let now: Stats;
  try {
    now = statSync(file.path);
  } catch {
    return true;
  }
  return now.size !== file.stamp.size || now.mtimeMs !== file.stamp.mtimeMs || now.ino !== file.stamp.ino;
}

function sum(uploads: PlannedUpload[]): number {
  return uploads.reduce((total, u) => total + u.size, 0);
}

function asWorkError(error: unknown, step: string, hint?: string): Error {
  if (error instanceof UserError || error instanceof WorkError || error instanceof InterruptedError)
    return error;
  return new WorkError(describeAwsError(step, error), hint, { cause: error });
}

/** One invalidation of the changed paths; with --wait, until CloudFront reports it complete. */
async function invalidate(
  aws: Aws,
  distributionId: string,
  paths: string[],
  started: Date,
  settings: SyncSettings,
  emit: (event: SyncEventInput) => void,
  signal?: AbortSignal,
): Promise<InvalidationResult> {
  const cloudfront = aws.cloudfront();
  let invalidation: InvalidationResult;
  try {
    invalidation = await createInvalidation(cloudfront, distributionId, paths, started, signal);
  } catch (error) {
    throw asWorkError(
      error,
      `invalidating ${paths.length} path(s) of CloudFront distribution ${distributionId}`,
      'the files are uploaded; run the sync again (it uploads nothing) to retry the invalidation',
    );
  }
  emit({ code: 'sync-invalidation', id: invalidation.id, paths, status: invalidation.status });
  if (!settings.waitForInvalidation) return invalidation;
  await waitForInvalidation(cloudfront, distributionId, invalidation.id, {
    intervalMs: settings.waitIntervalMs,
    timeoutMs: settings.waitTimeoutMs,
    signal,
    onWait: (status, elapsedMs) =>
      emit({
        code: 'sync-waiting',
        message: `waiting for invalidation ${invalidation.id}: ${status}`,
        elapsedMs,
      }),
  });
  checkAborted(signal);
  emit({ code: 'sync-invalidation', id: invalidation.id, paths, status: 'Completed' });
  return { id: invalidation.id, status: 'Completed' };
}

function emitPlan(emit: (event: SyncEventInput) => void, plan: SyncPlan): void {
  emit({
    code: 'sync-planned',
    uploads: plan.uploads.map((u) => ({ key: u.key, reason: u.reason, bytes: u.size })),
    metadataUpdates: plan.metadataUpdates.map((m) => ({
      key: m.key,
      reason: m.from
        ? describeMetadataChange(m.from, m.metadata)
        : `headers unknown → ${m.metadata.contentType}; ${m.metadata.cacheControl}`,
    })),
    unchanged: plan.unchanged.length,
    deletes: plan.deleteStale ? plan.stale : [],
    keeps: plan.deleteStale ? [] : plan.stale,
    invalidationPaths: plan.invalidationPaths,
    uploadBytes: plan.uploadBytes,
  });
}

function describeMetadataChange(
  from: { contentType: string; cacheControl: string },
  to: typeof from,
): string {
  const parts: string[] = [];
  if (from.contentType !== to.contentType) parts.push(`Content-Type ${from.contentType} → ${to.contentType}`);
  if (from.cacheControl !== to.cacheControl)
    parts.push(`Cache-Control ${from.cacheControl} → ${to.cacheControl}`);
  return parts.join('; ');
}

async function runTransfers(
  s3: S3Client,
  bucket: string,
  uploads: PlannedUpload[],
  updates: PlannedMetadataUpdate[],
  run: {
    concurrency: number;
    progress: TransferProgress;
    etags: Map<string, string>;
    mismatches: string[];
    changedWhileSyncing: string[];
    contents: ContentCache;
    signal?: AbortSignal;
  },
): Promise<void> {
  const { concurrency, progress, etags, mismatches, changedWhileSyncing, contents, signal } = run;
  type Job = { upload: PlannedUpload } | { update: PlannedMetadataUpdate };
  const jobs: Job[] = [...uploads.map((upload) => ({ upload })), ...updates.map((update) => ({ update }))];
  try {
    await pMap(
      jobs,
      async (job) => {
        if ('upload' in job) {
          let reported = 0;
          const body = contents.take(job.upload.key);
          const etag = await uploadFile(s3, bucket, job.upload, {
            signal,
            ...(body ? { body } : {}),
            onBytes: (bytes) => {
              reported += bytes;
              progress.bytes(bytes);
            },
            partConcurrency: Math.min(4, concurrency),
          });
          if (etag !== expectedEtag(job.upload.fingerprint)) {
            // A single PUT carries the hash as Content-MD5 and a kept body is the bytes hashed: either
            // way S3 stored those bytes, and another ETag is not an MD5 (SSE-KMS). A multipart upload
            // read again carries no digest S3 could check: bytes that changed after hashing go up as
            // read, and only the file's stat tells that apart.
            const reread = !body && isMultipart(job.upload.size);
            (reread && changedSince(job.upload) ? changedWhileSyncing : mismatches).push(job.upload.key);
          }
          etags.set(job.upload.key, etag);
          progress.fileDone(Math.max(0, job.upload.size - reported));
        } else {
          etags.set(job.update.key, await replaceMetadata(s3, bucket, job.update.key, job.update.metadata));
          progress.fileDone();
        }
      },
      { concurrency, ...(signal ? { signal } : {}) },
    );
  } catch (error) {
    if (signal?.aborted)
      throw new InterruptedError('interrupted: some files were not uploaded; run the sync again');
    throw asWorkError(
      error,
      `uploading to ${bucket}`,
      'nothing that needs the missing files was published (HTML goes last); run the sync again',
    );
  }
  checkAborted(signal);
}

/**
 * Record the headers of every object now in the bucket (see manifest.ts). Written only when it
 * changed, so an unchanged re-sync makes no PUT at all.
 */
async function saveManifest(
  s3: S3Client,
  bucket: string,
  local: LocalObject[],
  remote: ReadonlyMap<string, RemoteObject>,
  manifest: Manifest,
  loaded: Manifest | undefined,
  plan: SyncPlan,
  etags: Map<string, string>,
  signal?: AbortSignal,
): Promise<void> {
  const next = emptyManifest();
  for (const file of local) {
    const etag = etags.get(file.key) ?? remote.get(file.key)?.etag;
    if (etag) next.objects[file.key] = { etag, ...file.metadata };
  }
  if (!plan.deleteStale) {
    for (const key of plan.stale) {
      const entry = manifest.objects[key];
      if (entry && entry.etag === remote.get(key)?.etag) next.objects[key] = entry;
    }
  }
  const body = serializeManifest(next);
  if (loaded && serializeManifest(loaded) === body) return;
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: MANIFEST_KEY,
        Body: body,
        ContentType: 'application/json; charset=utf-8',
        CacheControl: 'no-store',
      }),
      { abortSignal: signal },
    );
  } catch (error) {
    throw asWorkError(
      error,
      `saving the sync manifest ${MANIFEST_KEY}`,
      'the files are uploaded; the next sync sets their headers again and saves it',
    );
  }
}
