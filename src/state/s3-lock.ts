import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { hasErrorName } from '../aws/errors.js';
import { UserError, WorkError } from '../errors.js';
import type { LockInfo, StateLock } from './lock.js';
import { describeS3Error, preconditionFailed, readText, type S3Text } from './s3-object.js';

/** What the lock object holds: who, where, since when, which command, and the id `unlock` takes. */
export interface S3LockInfo extends LockInfo {
  id: string;
  who: string;
}

/** The user name of this process, for the lock and the state's history. */
export function whoAmI(): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (some containers): the host still says where the run is.
    return 'unknown';
  }
}

export function parseLockInfo(text: string): S3LockInfo | undefined {
  try {
    const info = JSON.parse(text) as Partial<S3LockInfo> | null;
    if (typeof info?.id !== 'string' || typeof info.host !== 'string') return undefined;
    return {
      id: info.id,
      who: String(info.who ?? 'unknown'),
      host: info.host,
      pid: Number(info.pid ?? 0),
      startedAt: String(info.startedAt ?? ''),
      command: String(info.command ?? 'unknown'),
    };
  } catch {
    return undefined;
  }
}

/** How long ago `iso` was, in the largest unit that fits: "42 s", "7 min", "3 h", "2 days". */
export function ago(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (!Number.isFinite(seconds)) return 'an unknown time';
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

/** The sentence that names a lock's holder, for the run it stops and for `unlock`. */
export function describeHolder(info: S3LockInfo): string {
  return (
    `\`tekamolo ${info.command}\` of ${info.who} on ${info.host} (pid ${info.pid}), ` +
    `started ${info.startedAt}, ${ago(info.startedAt)} ago; lock id ${info.id}`
  );
}

export interface S3LockPlace {
  s3: S3Client;
  bucket: string;
  /** The lock object's key: the state's key + `.lock`. */
  key: string;
}

/** The lock object as it is now, or undefined when there is none. */
export async function readS3Lock(
  place: S3LockPlace,
): Promise<{ object: S3Text; info: S3LockInfo | undefined } | undefined> {
  const object = await readText(place.s3, place.bucket, place.key);
  return object && { object, info: parseLockInfo(object.text) };
}

/**
 * Take the lock by creating its object with `If-None-Match: *`: S3 lets exactly one of any number of
 * concurrent creates succeed. A held lock stops this run (exit 1) naming the holder and its age;
 * a lock left by a dead run is only ever removed by `tekamolo unlock <id>`, since no machine can
 * tell whether a run on another machine is still alive.
 */
export async function acquireS3Lock(place: S3LockPlace, command: string): Promise<StateLock> {
  const { s3, bucket, key } = place;
  const path = `s3://${bucket}/${key}`;
  const info: S3LockInfo = {
    id: randomUUID(),
    who: whoAmI(),
    host: hostname(),
    pid: process.pid,
    startedAt: new Date().toISOString(),
    command,
  };
  const body = `${JSON.stringify(info)}\n`;
  let etag: string | undefined;
  try {
    const answer = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: 'application/json',
        IfNoneMatch: '*',
      }),
    );
    etag = answer.ETag;
  } catch (error) {
    if (!preconditionFailed(error)) {
      throw new WorkError(`could not take the lock ${path}: ${describeS3Error(error)}`, undefined, {
        cause: error,
      });
    }
    const held = await readS3Lock(place);
    // The SDK retried a create whose first attempt S3 had applied (the answer was lost): ours.
    if (held?.info?.id === info.id) etag = held.object.etag;
    else if (!held) {
      throw new WorkError(
        `could not take the lock ${path}: it was released while this run tried to take it`,
        'run the command again',
      );
    } else if (!held.info) {
      throw new UserError(
        `the lock ${path} is not a tekamolo lock: it does not say which run holds it`,
        `if no tekamolo run is working on this stack, delete ${path}; nothing was changed`,
      );
    } else {
      throw new WorkError(
        `the stack is locked by ${describeHolder(held.info)}`,
        `wait for that run to finish; if it died, run \`tekamolo unlock ${held.info.id}\``,
      );
    }
  }
  let released = false;
  return {
    path,
    info,
    async release() {
      if (released) return;
      released = true;
      try {
        // Only this exact object: a lock removed by `unlock` and taken by another run stays.
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, IfMatch: etag }));
      } catch (error) {
        if (!preconditionFailed(error) && !hasErrorName(error, 'NoSuchKey', 'NotFound')) {
          throw error;
        }
      }
    },
    releaseSync() {
      // A process that exits this instant cannot wait for S3: the lock stays, and its message names the
      // id that `tekamolo unlock` takes.
    },
  };
}
