import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { hasErrorName } from '../../aws/errors.js';
import { ExitCode, UserError, WorkError } from '../../errors.js';
import { LOCK_SUFFIX } from '../../state/s3-backend.js';
import { describeHolder, readS3Lock } from '../../state/s3-lock.js';
import { preconditionFailed } from '../../state/s3-object.js';
import { remotePlace } from '../open-state.js';
import type { CommandRunner } from '../options.js';
import { openSession } from '../session.js';

export interface UnlockOptions {
  lockId: string;
}

/**
 * `tekamolo unlock <lock-id>`: remove a lock left by a run that died. Only the lock with that id, so
 * an id copied from an old message never removes the lock of a run that is working now.
 */
export const run: CommandRunner<UnlockOptions> = async (globals, { lockId }, tracer) => {
  const session = await openSession(globals, { command: 'unlock', tracer, lock: false, readOnly: true });
  try {
    const place = remotePlace(session.loaded, session.aws);
    if (!place) {
      throw new UserError(
        `unlock removes a lock kept in S3, and this config keeps its state in the file ${session.store.location}; nothing was changed`,
        'a local lock left by a run that is gone is taken over by the next run on this machine',
      );
    }
    const lockPlace = { s3: place.s3, bucket: place.bucket, key: `${place.key}${LOCK_SUFFIX}` };
    const where = `s3://${lockPlace.bucket}/${lockPlace.key}`;
    const result = (unlocked: boolean, text: string) => {
      const awsCalls = session.tracer.calls();
      const document = { command: 'unlock', ok: true, lockId, lock: where, unlocked, awsCalls };
      session.renderer.result({ text, document });
      return ExitCode.ok;
    };
    const unlocked = () => result(true, `unlocked: removed lock ${lockId} (${where})\n`);
    const held = await readS3Lock(lockPlace);
    if (!held) return result(false, `no lock at ${where}: nothing to unlock\n`);
    if (held.info?.id !== lockId) {
      const holder = held.info ? `held by ${describeHolder(held.info)}` : 'not a tekamolo lock';
      throw new UserError(
        `the lock at ${where} is ${holder}, not lock id ${lockId}; nothing was changed`,
        'pass the lock id that the refused run printed',
      );
    }
    const question = `Remove the lock of ${describeHolder(held.info)}? Only if that run is gone.`;
    if (!(await session.confirm({ code: 'unlock', question, default: false }))) {
      throw new UserError('the lock was not removed', 'answer y on a terminal, or pass --yes');
    }
    try {
      await place.s3.send(
        new DeleteObjectCommand({ Bucket: lockPlace.bucket, Key: lockPlace.key, IfMatch: held.object.etag }),
      );
    } catch (error) {
      // NoSuchKey: a retried delete whose first attempt S3 had applied.
      if (hasErrorName(error, 'NoSuchKey', 'NotFound')) return unlocked();
      if (!preconditionFailed(error)) throw error;
      throw new WorkError(
        `the lock at ${where} changed while unlocking: another run holds it now; it was not removed`,
        'wait for that run to finish',
      );
    }
    return unlocked();
  } finally {
    await session.close();
  }
};
