import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { HttpRequest, HttpResponse, RequestSigner } from '@smithy/types';
import type { Tracer } from '../aws/trace.js';
import { VERSION } from '../version.js';
import { escapeKey } from './key-path.js';
import { unquoteEtag } from './remote.js';

/**
 * Single-part uploads past the SDK's per-call pipeline. Of the CPU a sync of a few thousand small files
 * costs, most goes to the SDK's middleware around each PutObject (endpoint rules, schema serialisation,
 * checksum, retry and signing steps): about 1.7 ms of CPU per object, where the same signed request
 * sent straight costs about 0.8 to 1 ms (`npm run bench:sync`).
 *
 * The SDK still does every part that decides anything. The first upload of a sync goes through it, and
 * its request is the template: protocol, host, port, path style and query. Every later object is
 * signed by the client's own signer (its credentials, region and clock-skew correction) and sent by
 * the client's own HTTP handler (its sockets and timeouts). The body is covered by Content-MD5, which
 * is signed; the payload itself is sent as UNSIGNED-PAYLOAD, as the SDKs do over HTTPS, so it is not
 * hashed a second time.
 *
 * Anything but a 200 sends the object again through the SDK, which retries, follows S3's answers and
 * words the error: a server error or throttling only for that object, any other refusal (a redirect,
 * expired credentials, access denied) for every object after it as well.
 */

/** What differs between two PutObject requests of one sync: the key and its headers. */
export interface DirectPutObject {
  key: string;
  body: Buffer;
  /** Base64, as the Content-MD5 header. */
  contentMd5: string;
  contentType: string;
  cacheControl: string;
}

interface Template {
  protocol: string;
  hostname: string;
  port?: number;
  host: string;
  /** The request path without the key, e.g. `/bucket/` (path style) or `/` (virtual-hosted). */
  prefix: string;
  query: HttpRequest['query'];
}

/** Throttling and server errors are worth another try through the SDK; other answers end the short cut. */
function transient(status: number | undefined): boolean {
  return status === undefined || status === 429 || status >= 500;
}

export class DirectPut {
  private template: Template | undefined;
  private signer: Promise<RequestSigner> | undefined;
  /** Set after a refusal: every later object goes through the SDK. */
  private off = false;
  /** Objects sent straight, and objects sent again through the SDK after a straight attempt failed. */
  readonly counts = { direct: 0, viaSdk: 0, retriedViaSdk: 0 };

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly region: string,
    private readonly tracer: Tracer,
  ) {}

  /** Upload one object; the ETag S3 reports. */
  async put(object: DirectPutObject, signal?: AbortSignal): Promise<string> {
    if (this.template && !this.off) {
      const etag = await this.sendDirect(this.template, object, signal);
      if (etag !== undefined) {
        this.counts.direct++;
        return etag;
      }
      this.counts.retriedViaSdk++;
    } else this.counts.viaSdk++;
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key: object.key,
      Body: object.body,
      ContentLength: object.body.length,
      ContentMD5: object.contentMd5,
      ContentType: object.contentType,
      CacheControl: object.cacheControl,
    });
    if (!this.template && !this.off) this.captureTemplate(command, object.key);
    const response = await this.s3.send(command, { abortSignal: signal });
    return unquoteEtag(response.ETag);
  }

  /** Read the endpoint the SDK resolved for this PutObject, once it has built the request. */
  private captureTemplate(command: PutObjectCommand, key: string): void {
    command.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as HttpRequest;
        const escaped = escapeKey(key);
        if (!this.template && request.path.endsWith(escaped)) {
          this.template = {
            protocol: request.protocol,
            hostname: request.hostname,
            ...(request.port !== undefined ? { port: request.port } : {}),
            host:
              request.headers.host ??
              (request.port !== undefined ? `${request.hostname}:${request.port}` : request.hostname),
            prefix: request.path.slice(0, request.path.length - escaped.length),
            query: { ...request.query },
          };
        }
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'high', name: 'tekamoloPutTemplate' },
    );
  }

  /** One signed PUT; the ETag, or undefined when the object must go through the SDK instead. */
  private async sendDirect(
    template: Template,
    object: DirectPutObject,
    signal: AbortSignal | undefined,
  ): Promise<string | undefined> {
    const started = Date.now();
    let status: number | undefined;
    let failure: string | undefined;
    try {
      const request: HttpRequest = {
        method: 'PUT',
        protocol: template.protocol,
        hostname: template.hostname,
        ...(template.port !== undefined ? { port: template.port } : {}),
        path: template.prefix + escapeKey(object.key),
        query: { ...template.query },
        headers: {
          host: template.host,
          'content-type': object.contentType,
          'cache-control': object.cacheControl,
          'content-length': String(object.body.length),
          'content-md5': object.contentMd5,
          'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
          'user-agent': `tekamolo/${VERSION}`,
        },
        body: object.body,
      };
      const signer = await this.getSigner();
      const signed = (await signer.sign(request, {
        signingDate: new Date(Date.now() + (this.s3.config.systemClockOffset ?? 0)),
        signingRegion: this.region,
        signingService: 's3',
      })) as HttpRequest;
      const { response } = (await this.s3.config.requestHandler.handle(signed, {
        ...(signal ? { abortSignal: signal } : {}),
      })) as { response: HttpResponse };
      status = response.statusCode;
      await drain(response.body);
      const etag = response.headers.etag ?? response.headers.ETag;
      if (status === 200 && etag) return unquoteEtag(etag);
      failure = `HTTP ${status}`;
    } catch (error) {
      if (signal?.aborted) throw error;
      failure = (error as Error).name || 'Error';
    } finally {
      this.record(started, failure);
    }
    if (!transient(status)) this.off = true;
    return undefined;
  }

  private getSigner(): Promise<RequestSigner> {
    this.signer ??= this.s3.config.signer({
      name: 'sigv4',
      signingName: 's3',
      signingRegion: this.region,
      properties: {},
    });
    return this.signer;
  }

  private record(started: number, failure: string | undefined): void {
    this.tracer.record({
      time: new Date(started).toISOString(),
      service: 's3',
      operation: 'PutObject',
      region: this.region,
      durationMs: Date.now() - started,
      ok: failure === undefined,
      ...(failure !== undefined ? { error: failure } : {}),
      attempts: 1,
    });
  }
}

async function drain(body: unknown): Promise<void> {
  if (body && typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    for await (const _ of body as AsyncIterable<unknown>) {
      // the answer of a PUT is empty or a short XML error; reading it frees the socket
    }
  }
}
