import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { HttpHandlerOptions, RequestHandler } from '@smithy/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Aws } from '../../../src/aws/clients.js';
import { UserError } from '../../../src/errors.js';
import { syncFrontend } from '../../../src/sync/sync.js';
import { syncSettings } from '../../support/sync-settings.js';

/**
 * The bucket is listed (and its manifest read) while the folder is scanned. A sync that stops before
 * it needs them must not return with those requests in flight: they would end after the run, in its
 * trace file (a run in a process of its own exits; one in a longer-lived program goes on).
 */
describe('a sync that stops while the bucket is being read', () => {
  let dir: string;
  /** Requests sent, and those not yet ended: this S3 never answers, it only hears an abort. */
  let sent = 0;
  let inFlight = 0;
  const silentS3: RequestHandler<unknown, unknown, HttpHandlerOptions> = {
    handle: (_request, options) =>
      new Promise((_, reject) => {
        sent++;
        inFlight++;
        const abort = () => {
          inFlight--;
          reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
        };
        const signal = options?.abortSignal as AbortSignal | undefined;
        if (signal?.aborted) abort();
        else signal?.addEventListener('abort', abort, { once: true });
      }),
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tekamolo-reads-'));
    await writeFile(join(dir, 'index.html'), '<p>x</p>');
    // A name that is not UTF-8: the scan refuses the folder (exit 2) while the bucket is being read.
    await writeFile(Buffer.concat([Buffer.from(join(dir, 'bad-')), Buffer.from([0xff, 0xfe])]), 'x');
    sent = 0;
    inFlight = 0;
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('ends its listing and manifest read before it rejects', async () => {
    const aws = new Aws({ region: 'eu-central-1', maxAttempts: 1 });
    const s3 = new S3Client({
      region: 'eu-central-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      requestHandler: silentS3,
    });
    vi.spyOn(aws, 'bucket').mockReturnValue(s3);
    let atEnd = { sent: -1, inFlight: -1 };
    const error = await syncFrontend({
      aws,
      target: { bucket: 'site', region: 'eu-central-1' },
      settings: syncSettings(dir, { waitTimeoutMs: 100 }),
      emit: () => undefined,
    }).catch((e: unknown) => {
      atEnd = { sent, inFlight };
      return e;
    });
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain('not valid UTF-8');
    // the listing's first page and the manifest: both asked for, both ended
    expect(atEnd).toEqual({ sent: 2, inFlight: 0 });
    s3.destroy();
    aws.destroy();
  });
});
