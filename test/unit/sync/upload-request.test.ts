import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Aws } from '../../../src/aws/clients.js';
import { Tracer } from '../../../src/aws/trace.js';
import { uploadFile } from '../../../src/sync/transfer.js';

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
});
