import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Aws } from '../../../src/aws/clients.js';
import { Tracer } from '../../../src/aws/trace.js';
import { LEFT_TO_FINISH_BYTES, type UploadFile, uploadFile } from '../../../src/sync/transfer.js';

/** What the uploads look like on the wire: a stand-in for S3 on a loopback port records each request. */
describe('single-part uploads', () => {
  let server: Server;
  const received: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
  const saved = { ...process.env };

  beforeEach(async () => {
    received.length = 0;
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
        const etag = createHash('md5').update(Buffer.concat(chunks)).digest('hex');
        response.writeHead(200, { ETag: `"${etag}"` }).end();
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'secret-for-tests',
    });
  });
  afterEach(async () => {
    process.env = { ...saved };
    await new Promise((done) => server.close(done));
  });

  it('go through the SDK with Content-MD5 and no checksum of their own, traced as PutObject', async () => {
    const tracer = new Tracer();
    const aws = new Aws({ region: 'eu-central-1', tracer });
    const body = Buffer.from('<!doctype html>');
    const md5 = createHash('md5').update(body).digest('hex');
    const etag = await uploadFile(
      aws.s3(),
      'site',
      {
        key: 'a b/index.html',
        path: '/nowhere',
        size: body.length,
        fingerprint: { md5 },
        metadata: { contentType: 'text/html; charset=utf-8', cacheControl: 'no-cache' },
      },
      { body },
    );
    aws.destroy();
    expect(etag).toBe(md5);
    expect(tracer.records.map((r) => [r.operation, r.ok])).toEqual([['PutObject', true]]);
    expect(received).toHaveLength(1);
    const [put] = received;
    expect(put).toMatchObject({ method: 'PUT', url: '/site/a%20b/index.html?x-id=PutObject' });
    expect(put!.headers['content-md5']).toBe(Buffer.from(md5, 'hex').toString('base64'));
    expect(put!.headers['cache-control']).toBe('no-cache');
    expect(Object.keys(put!.headers).filter((h) => h.startsWith('x-amz-checksum-'))).toEqual([]);
    expect(put!.headers['x-amz-sdk-checksum-algorithm']).toBeUndefined();
    expect(put!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\//);
  });

  function fileOf(body: Buffer, key: string): UploadFile {
    return {
      key,
      path: '/nowhere',
      size: body.length,
      fingerprint: { md5: createHash('md5').update(body).digest('hex') },
      metadata: { contentType: 'text/javascript; charset=utf-8', cacheControl: 'no-cache' },
    };
  }

  it("through a bucket's own client, resolve the SDK's middleware once for all PUTs", async () => {
    const resolve = vi.spyOn(PutObjectCommand.prototype, 'resolveMiddleware');
    const aws = new Aws({ region: 'eu-central-1' });
    expect(aws.bucket('site')).toBe(aws.bucket('site'));
    expect(aws.bucket('site')).not.toBe(aws.bucket('other'));
    expect(aws.bucket('site')).not.toBe(aws.s3());
    const signal = new AbortController().signal;
    for (const key of ['a.js', 'b.js', 'c.js']) {
      const body = Buffer.from(`export const key = '${key}';`);
      await uploadFile(aws.bucket('site'), 'site', fileOf(body, key), { body, signal });
    }
    expect(resolve).toHaveBeenCalledTimes(1);
    const body = Buffer.from('shared client');
    await uploadFile(aws.s3(), 'site', fileOf(body, 'd.js'), { body, signal });
    await uploadFile(aws.s3(), 'site', fileOf(body, 'e.js'), { body, signal });
    expect(resolve).toHaveBeenCalledTimes(3);
    expect(received.map((r) => r.url)).toEqual([
      '/site/a.js?x-id=PutObject',
      '/site/b.js?x-id=PutObject',
      '/site/c.js?x-id=PutObject',
      '/site/d.js?x-id=PutObject',
      '/site/e.js?x-id=PutObject',
    ]);
    resolve.mockRestore();
    aws.destroy();
  });

  it('leave a small PUT to finish on Ctrl-C and cut a large one', async () => {
    const aws = new Aws({ region: 'eu-central-1' });
    const controller = new AbortController();
    controller.abort();
    const small = Buffer.alloc(LEFT_TO_FINISH_BYTES, 'a');
    const large = Buffer.alloc(LEFT_TO_FINISH_BYTES + 1, 'a');
    const etag = await uploadFile(aws.bucket('site'), 'site', fileOf(small, 'small.js'), {
      body: small,
      signal: controller.signal,
    });
    expect(etag).toBe(fileOf(small, 'small.js').fingerprint.md5);
    await expect(
      uploadFile(aws.bucket('site'), 'site', fileOf(large, 'large.js'), {
        body: large,
        signal: controller.signal,
      }),
    ).rejects.toThrow(/abort/i);
    expect(received.map((r) => r.url)).toEqual(['/site/small.js?x-id=PutObject']);
    aws.destroy();
  });
});
