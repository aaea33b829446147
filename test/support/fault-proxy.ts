import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A bad network day in front of moto_server, seeded so that a run can be repeated exactly.
 *
 * - The FIRST request of every kind of changing call is forwarded, carried out by the emulator, and
 *   its answer lost: the connection dropped, or a 500 sent instead. The SDK (or tekamolo) sends it
 *   again and meets its own work.
 * - Other requests are, at random, throttled in their protocol's own error shape (S3 `SlowDown`,
 *   EC2 `RequestLimitExceeded`, query APIs `Throttling`, JSON APIs `ThrottlingException`, Route 53
 *   `PriorRequestNotComplete`), answered 500 or 503 without being forwarded, or slowed down.
 * - A kind never gets two faults in a row, so every call succeeds within the SDK's own retries.
 * - Where the emulator accepts a repeated create that AWS refuses or answers with the first result
 *   (MOTO.md: load balancer, listener, Auto Scaling group, OAC; OAC delete of a gone OAC gives an HTML
 *   500; invalidations are not de-duplicated), a request repeating one whose answer was lost is
 *   answered as AWS documents, without reaching the emulator.
 *
 * Every fault is counted by kind and written as one JSON line to `logFile` when given.
 */

export type FaultKind =
  | 'lost-drop'
  | 'lost-500'
  | 'throttle'
  | 'status-500'
  | 'status-503'
  | 'latency'
  | 'as-aws';

export interface FaultProxyOptions {
  /** Where the emulator listens: http://127.0.0.1:port */
  target: string;
  seed: number;
  /** Chance of a throttle / 5xx / latency on a request that is not a first changing call. */
  faultRate?: number;
  logFile?: string;
}

export interface FaultProxy {
  url: string;
  /** Faults injected so far, by fault kind. */
  counts(): Record<FaultKind, number>;
  /** Kinds of changing call (service:operation) whose first answer was lost. */
  lostKinds(): string[];
  /** Every changing kind seen (each lost its first answer). */
  stop(): Promise<void>;
}

interface Call {
  service: string;
  operation: string;
  changing: boolean;
  protocol: 'ec2' | 'query' | 'json' | 's3' | 'route53' | 'cloudfront';
}

/** mulberry32: small, fast, good enough to pick faults reproducibly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const READ_ONLY = /^(Get|List|Describe|Head)/;

/** Longest delay a latency fault adds. */
const LATENCY_MS = 50;

/** "…/20261204/eu-central-1/ec2/aws4_request" → "ec2". */
function signingService(req: IncomingMessage): string {
  const auth = String(req.headers.authorization ?? '');
  return /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(auth)?.[1] ?? 'unknown';
}

/** A REST path with its ids replaced by `*`, so that one kind covers every distribution or key. */
function restKind(method: string, url: string, service: string): string {
  const [path = '', query = ''] = url.split('?');
  const parts = path.split('/').filter(Boolean);
  let shape: string[];
  if (service === 's3') {
    shape = parts.length === 0 ? [] : parts.length === 1 ? ['{bucket}'] : ['{bucket}', '{key}'];
  } else {
    // CloudFront and Route 53: API version, collection, id, sub-resource.
    shape = parts.map((p, i) => (i > 0 && /[A-Z0-9]{8,}/.test(p) && !/^[a-z-]+$/.test(p) ? '*' : p));
  }
  const subresources = query
    .split('&')
    .map((q) => q.split('=')[0])
    .filter((q) => q && !['x-id', 'list-type', 'prefix', 'max-keys', 'continuation-token'].includes(q ?? ''));
  return `${method} /${shape.join('/')}${subresources.length ? `?${subresources.join('&')}` : ''}`;
}

function classify(req: IncomingMessage, body: Buffer): Call {
  const service = signingService(req);
  const method = req.method ?? 'GET';
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const operation = target.split('.').pop() ?? target;
    return { service, operation, changing: !READ_ONLY.test(operation), protocol: 'json' };
  }
  if (service === 's3' || service === 'cloudfront' || service === 'route53') {
    return {
      service,
      operation: restKind(method, req.url ?? '/', service),
      changing: method !== 'GET' && method !== 'HEAD',
      protocol: service,
    };
  }
  const action = new URLSearchParams(body.toString('utf8')).get('Action') ?? 'Unknown';
  return {
    service,
    operation: action,
    changing: !READ_ONLY.test(action),
    protocol: service === 'ec2' ? 'ec2' : 'query',
  };
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

function xmlError(call: Call, status: number, code: string, message: string): Answer {
  const id = 'fault-proxy';
  if (call.protocol === 'ec2') {
    return {
      status,
      headers: { 'content-type': 'text/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${id}</RequestID></Response>`,
    };
  }
  if (call.protocol === 'json') {
    return {
      status,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': code },
      body: JSON.stringify({ __type: code, message }),
    };
  }
  if (call.protocol === 's3') {
    return {
      status,
      headers: { 'content-type': 'application/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>${id}</RequestId></Error>`,
    };
  }
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body: `<?xml version="1.0"?><ErrorResponse><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`,
  };
}

/** Each protocol's own throttling answer. */
function throttle(call: Call): Answer {
  switch (call.protocol) {
    case 's3':
      return xmlError(call, 503, 'SlowDown', 'Please reduce your request rate.');
    case 'ec2':
      return xmlError(call, 503, 'RequestLimitExceeded', 'Request limit exceeded.');
    case 'json':
      return xmlError(call, 400, 'ThrottlingException', 'Rate exceeded');
    case 'route53':
      return xmlError(
        call,
        400,
        'PriorRequestNotComplete',
        'The request was rejected because Route 53 was still processing a prior request.',
      );
    default:
      return xmlError(call, 400, 'Throttling', 'Rate exceeded');
  }
}

function serverError(call: Call, status: 500 | 503): Answer {
  return status === 500
    ? xmlError(call, 500, 'InternalFailure', 'We encountered an internal error. Please try again.')
    : xmlError(call, 503, 'ServiceUnavailable', 'Service is unavailable. Please try again.');
}

/**
 * How AWS answers a request that repeats one it already carried out, where the emulator does not:
 * undefined when the emulator's own answer is already AWS's.
 */
function asAws(call: Call, first: Answer): Answer | undefined {
  switch (call.operation) {
    // Idempotent with the same settings: AWS returns the resource the first call made.
    case 'CreateLoadBalancer':
    case 'CreateListener':
      return first;
    case 'CreateAutoScalingGroup':
      return xmlError(call, 400, 'AlreadyExists', 'AutoScalingGroup by this name already exists.');
  }
  if (call.service !== 'cloudfront') return undefined;
  if (call.operation === 'POST /2020-05-31/origin-access-control') {
    return xmlError(
      call,
      409,
      'OriginAccessControlAlreadyExists',
      'An origin access control with the same name already exists.',
    );
  }
  if (call.operation === 'DELETE /2020-05-31/origin-access-control/*') {
    return xmlError(
      call,
      404,
      'NoSuchOriginAccessControl',
      'The specified origin access control does not exist.',
    );
  }
  // The same CallerReference: CloudFront returns the invalidation the first request made.
  if (call.operation === 'POST /2020-05-31/distribution/*/invalidation') return first;
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Request headers the proxy's own HTTP client sets or refuses. */
const HOP_HEADERS = new Set([
  'connection',
  'transfer-encoding',
  'host',
  'expect',
  'keep-alive',
  'content-length',
]);

async function forward(target: string, req: IncomingMessage, body: Buffer): Promise<Answer> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_HEADERS.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const method = req.method ?? 'GET';
  const response = await fetch(`${target}${req.url ?? '/'}`, {
    method,
    headers,
    body: method === 'GET' || method === 'HEAD' ? undefined : body,
  });
  const answerHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (['transfer-encoding', 'connection', 'content-encoding', 'keep-alive'].includes(name)) return;
    // A HEAD answer's content-length is the object's size (HeadObject's ContentLength): keep it.
    if (name === 'content-length' && method !== 'HEAD') return;
    answerHeaders[name] = value;
  });
  const data = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: answerHeaders, body: data };
}

function send(res: ServerResponse, answer: Answer): void {
  const headers = { 'content-length': String(Buffer.byteLength(answer.body)), ...answer.headers };
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const random = prng(options.seed);
  const rate = options.faultRate ?? 0.15;
  const counts: Record<FaultKind, number> = {
    'lost-drop': 0,
    'lost-500': 0,
    throttle: 0,
    'status-500': 0,
    'status-503': 0,
    latency: 0,
    'as-aws': 0,
  };
  const lost = new Set<string>();
  /** Kinds whose last request got a fault: the next one passes untouched. */
  const justFaulted = new Set<string>();
  /** Answers that were lost, by request fingerprint: what AWS would have answered the first time. */
  const lostAnswers = new Map<string, Answer>();

  const log = (kind: FaultKind, call: Call) => {
    counts[kind]++;
    if (options.logFile) {
      appendFileSync(
        options.logFile,
        `${JSON.stringify({ seed: options.seed, fault: kind, service: call.service, operation: call.operation })}\n`,
      );
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const call = classify(req, body);
    const kind = `${call.service}:${call.operation}`;
    const fingerprint = createHash('sha256').update(`${req.method} ${req.url}\n`).update(body).digest('hex');

    const first = lostAnswers.get(fingerprint);
    if (first) {
      lostAnswers.delete(fingerprint);
      const aws = asAws(call, first);
      if (aws) {
        log('as-aws', call);
        return send(res, aws);
      }
    }

    if (call.changing && !lost.has(kind)) {
      const answer = await forward(options.target, req, body);
      // Only an answer of work done counts as lost: an error changed nothing.
      if (answer.status >= 400) return send(res, answer);
      lost.add(kind);
      justFaulted.add(kind);
      lostAnswers.set(fingerprint, answer);
      if (random() < 0.5) {
        log('lost-drop', call);
        res.socket?.destroy();
      } else {
        log('lost-500', call);
        send(res, serverError(call, 500));
      }
      return;
    }

    if (!justFaulted.has(kind) && random() < rate) {
      justFaulted.add(kind);
      const pick = random();
      if (pick < 0.5) {
        log('throttle', call);
        return send(res, throttle(call));
      }
      if (pick < 0.7) {
        log(pick < 0.6 ? 'status-500' : 'status-503', call);
        return send(res, serverError(call, pick < 0.6 ? 500 : 503));
      }
      log('latency', call);
      // Longer than the emulator takes to answer (a few ms), so that calls in flight overtake each other.
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * LATENCY_MS)));
    } else {
      justFaulted.delete(kind);
    }
    send(res, await forward(options.target, req, body));
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault proxy: ${(error as Error).message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts }),
    lostKinds: () => [...lost].sort(),
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
