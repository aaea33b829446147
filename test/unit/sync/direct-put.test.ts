import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Tracer } from '../../../src/aws/trace.js';
import { DirectPut, type DirectPutObject } from '../../../src/sync/direct-put.js';
import { escapeKey } from '../../../src/sync/key-path.js';

/** What the stand-in for S3 received. */
interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-for-tests' };
const region = 'eu-central-1';
const bucket = 'site-bucket';

const md5 = (data: Buffer) => createHash('md5').update(data).digest();

const bytes = (data: SourceData) =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** SHA-256 (HMAC with a secret) in the shape the signer takes. */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

function object(key: string, text = `content of ${key}`): DirectPutObject {
  const body = Buffer.from(text);
  return {
    key,
    body,
    contentMd5: md5(body).toString('base64'),
    contentType: 'text/plain; charset=utf-8',
    cacheControl: 'public, max-age=300',
  };
}

/** Whether a request came through the SDK's pipeline (it adds an invocation id to every attempt). */
const viaSdk = (r: Received) => r.headers['amz-sdk-invocation-id'] !== undefined;

describe('DirectPut', () => {
  let server: Server;
  let received: Received[];
  /** The status to answer for the next requests, one per request; 200 once empty. */
  let answers: number[];
  let s3: S3Client;
  let tracer: Tracer;

  beforeEach(async () => {
    received = [];
    answers = [];
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const status = answers.shift() ?? 200;
        if (status === 200) {
          res.writeHead(200, { ETag: `"${md5(body).toString('hex')}"` });
          res.end();
        } else {
          res.writeHead(status, { 'Content-Type': 'application/xml' });
          res.end(`<Error><Code>E${status}</Code><Message>refused</Message></Error>`);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    s3 = new S3Client({
      region,
      credentials,
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      maxAttempts: 1,
    });
    tracer = new Tracer();
  });

  afterEach(async () => {
    s3.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends the first object through the SDK and the rest straight, to the same path', async () => {
    const direct = new DirectPut(s3, bucket, region, tracer);
    const keys = ['index.html', 'a b/c+d(1)!.txt', 'assets/app-1a2b3c4d.js'];
    for (const key of keys) {
      const etag = await direct.put(object(key));
      expect(etag).toBe(md5(object(key).body).toString('hex'));
    }
    expect(received.map(viaSdk)).toEqual([true, false, false]);
    expect(direct.counts).toEqual({ direct: 2, viaSdk: 1, retriedViaSdk: 0 });
    // Same method, path shape and query as the SDK's own request, and every key arrives intact.
    const sdkUrl = new URL(received[0]!.url, 'http://x');
    for (const [index, request] of received.entries()) {
      const url = new URL(request.url, 'http://x');
      expect(request.method).toBe('PUT');
      expect(decodeURIComponent(url.pathname)).toBe(`/${bucket}/${keys[index]}`);
      expect(url.search).toBe(sdkUrl.search);
      expect(request.body.toString()).toBe(`content of ${keys[index]}`);
    }
    const straight = received[1]!;
    expect(straight.headers['content-md5']).toBe(object(keys[1]!).contentMd5);
    expect(straight.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(straight.headers['cache-control']).toBe('public, max-age=300');
    expect(straight.headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
  });

  it('signs each straight request as SigV4 with the client credentials, Content-MD5 included', async () => {
    const direct = new DirectPut(s3, bucket, region, tracer);
    await direct.put(object('first.txt'));
    await direct.put(object('second file.txt'));
    const request = received[1]!;
    const authorization = String(request.headers.authorization);
    expect(authorization).toMatch(
      new RegExp(`^AWS4-HMAC-SHA256 Credential=AKIDTEST/\\d{8}/${region}/s3/aws4_request, `),
    );
    const signedHeaders = authorization.match(/SignedHeaders=([^,]+)/)?.[1]?.split(';') ?? [];
    expect(signedHeaders).toEqual(expect.arrayContaining(['content-md5', 'host', 'x-amz-content-sha256']));

    // An independent signer, given the same request and time, must arrive at the same signature.
    const url = new URL(request.url, 'http://x');
    const amzDate = String(request.headers['x-amz-date']);
    const signingDate = new Date(
      `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
    );
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) headers[name] = String(request.headers[name]);
    const signer = new SignatureV4({
      credentials,
      region,
      service: 's3',
      sha256: Sha256,
      uriEscapePath: false,
    });
    const resigned = await signer.sign(
      {
        method: 'PUT',
        protocol: 'http:',
        hostname: '127.0.0.1',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        body: request.body,
      },
      { signingDate },
    );
    expect(resigned.headers.authorization).toBe(authorization);
  });

  it('sends an object again through the SDK after a server error, and goes on straight', async () => {
    const direct = new DirectPut(s3, bucket, region, tracer);
    await direct.put(object('first.txt'));
    answers = [503];
    const etag = await direct.put(object('second.txt'));
    expect(etag).toBe(md5(object('second.txt').body).toString('hex'));
    await direct.put(object('third.txt'));
    expect(received.map(viaSdk)).toEqual([true, false, true, false]);
    expect(direct.counts).toEqual({ direct: 1, viaSdk: 1, retriedViaSdk: 1 });
    const failed = tracer.records.filter((r) => !r.ok);
    expect(failed).toEqual([expect.objectContaining({ operation: 'PutObject', error: 'HTTP 503' })]);
  });

  it('after a refusal, sends that object and every later one through the SDK', async () => {
    const direct = new DirectPut(s3, bucket, region, tracer);
    await direct.put(object('first.txt'));
    answers = [403];
    await direct.put(object('second.txt'));
    await direct.put(object('third.txt'));
    expect(received.map(viaSdk)).toEqual([true, false, true, true]);
    expect(direct.counts).toEqual({ direct: 0, viaSdk: 2, retriedViaSdk: 1 });
  });

  it('a refusal the SDK also gets fails the upload with the SDK error', async () => {
    const direct = new DirectPut(s3, bucket, region, tracer);
    await direct.put(object('first.txt'));
    answers = [400, 400];
    await expect(direct.put(object('second.txt'))).rejects.toMatchObject({ name: 'E400' });
  });

  it('records every straight PUT in the trace, as the SDK calls are', async () => {
    const direct = new DirectPut(s3, bucket, region, tracer);
    for (const key of ['a', 'b', 'c']) await direct.put(object(key));
    // The SDK's call is recorded by the client's trace middleware, which this bare client has not.
    expect(tracer.records).toHaveLength(2);
    for (const record of tracer.records)
      expect(record).toMatchObject({ service: 's3', operation: 'PutObject', region, ok: true, attempts: 1 });
  });

  it('stops at once when the sync is interrupted, without a second try', async () => {
    const direct = new DirectPut(s3, bucket, region, tracer);
    await direct.put(object('first.txt'));
    const controller = new AbortController();
    controller.abort();
    await expect(direct.put(object('second.txt'), controller.signal)).rejects.toThrow();
    expect(received).toHaveLength(1);
  });
});

describe('escapeKey', () => {
  it('encodes each path segment as S3 expects, keeping the slashes', () => {
    expect(escapeKey("a b/c+d(1)!*'.txt")).toBe('a%20b/c%2Bd%281%29%21%2A%27.txt');
    expect(escapeKey('blog/post-1/index.html')).toBe('blog/post-1/index.html');
    expect(escapeKey('ünï/ké y')).toBe('%C3%BCn%C3%AF/k%C3%A9%20y');
  });
});
