import { GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { readManifest } from '../../../src/sync/remote.js';

function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });
}

describe('readManifest', () => {
  const s3 = mockClient(S3Client);
  let client: S3Client;

  beforeEach(() => {
    s3.reset();
    client = new S3Client({ region: 'eu-central-1' });
  });
  afterEach(() => {
    client.destroy();
    s3.reset();
  });

  it('reads a manifest the caller may not read as none, and says so', async () => {
    s3.on(GetObjectCommand).rejects(s3Error('AccessDenied', 403));
    const denied = vi.fn();
    expect(await readManifest(client, 'site', undefined, denied)).toBeUndefined();
    expect(denied).toHaveBeenCalledTimes(1);
    expect(denied.mock.calls[0]?.[0]).toMatch(/\.tekamolo\/sync-manifest\.json may not be read/);
  });

  it('takes a 403 without an error code (no body, as for HEAD) as access denied too', async () => {
    s3.on(GetObjectCommand).rejects(s3Error('Unknown', 403));
    const denied = vi.fn();
    expect(await readManifest(client, 'site', undefined, denied)).toBeUndefined();
    expect(denied).toHaveBeenCalledTimes(1);
  });

  it('no manifest yet is none, without a word; a missing bucket and other errors are thrown', async () => {
    const denied = vi.fn();
    s3.on(GetObjectCommand).rejects(s3Error('NoSuchKey', 404));
    expect(await readManifest(client, 'site', undefined, denied)).toBeUndefined();
    expect(denied).not.toHaveBeenCalled();

    s3.on(GetObjectCommand).rejects(s3Error('NoSuchBucket', 404));
    await expect(readManifest(client, 'site', undefined, denied)).rejects.toBeInstanceOf(UserError);

    s3.on(GetObjectCommand).rejects(s3Error('InternalError', 500));
    await expect(readManifest(client, 'site', undefined, denied)).rejects.toMatchObject({
      name: 'InternalError',
    });
    expect(denied).not.toHaveBeenCalled();
  });
});
