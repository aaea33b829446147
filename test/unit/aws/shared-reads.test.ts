import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetAccessKeyInfoCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Aws } from '../../../src/aws/clients.js';
import { Tracer } from '../../../src/aws/trace.js';

/** A local endpoint for every client: STS answers by action, S3 with a small body; each request counted. */
let server: Server;
let requests: string[] = [];
let failing = false;
const saved = { ...process.env };

function answer(action: string): string {
  if (action === 'AssumeRole')
    return '<AssumeRoleResponse><AssumeRoleResult></AssumeRoleResult></AssumeRoleResponse>';
  return '<GetAccessKeyInfoResponse><GetAccessKeyInfoResult><Account>111122223333</Account></GetAccessKeyInfoResult></GetAccessKeyInfoResponse>';
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      const params = new URLSearchParams(body);
      const action = params.get('Action') ?? `${req.method} ${req.url}`;
      requests.push(params.get('AccessKeyId') ? `${action} ${params.get('AccessKeyId')}` : action);
      if (req.url?.startsWith('/bucket/')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('content');
      } else if (failing) {
        res.writeHead(403, { 'content-type': 'text/xml' });
        res.end(
          '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>',
        );
      } else {
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(answer(String(action)));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.AWS_ACCESS_KEY_ID = 'k';
  process.env.AWS_SECRET_ACCESS_KEY = 's';
});
afterAll(async () => {
  process.env = { ...saved };
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  requests = [];
  failing = false;
});

const info = (key: string) => new GetAccessKeyInfoCommand({ AccessKeyId: key });
const assume = () => new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::1:role/r', RoleSessionName: 's' });

describe('a read made twice in one reading is sent once', () => {
  it('shares the answer of the same read with the same input, not of another input, and traces what is sent', async () => {
    const tracer = new Tracer();
    const aws = new Aws({ region: 'eu-central-1', tracer, maxAttempts: 1 });
    const [one, two] = await aws.reading(async () => {
      const both = Promise.all([aws.sts().send(info('A1')), aws.sts().send(info('A1'))]);
      await aws.sts().send(info('A2'));
      return both;
    });
    expect(one).toBe(two);
    expect(requests.sort()).toEqual(['GetAccessKeyInfo A1', 'GetAccessKeyInfo A2']);
    expect(tracer.records.map((r) => r.operation)).toEqual(['GetAccessKeyInfo', 'GetAccessKeyInfo']);
    aws.destroy();
  });

  it('never shares a changing call or a streaming answer; outside a reading and in the next one, asks again', async () => {
    const aws = new Aws({ region: 'eu-central-1', maxAttempts: 1 });
    await aws.reading(async () => {
      await aws.sts().send(assume());
      await aws.sts().send(assume());
      for (let i = 0; i < 2; i++) {
        const object = await aws.s3().send(new GetObjectCommand({ Bucket: 'bucket', Key: 'k' }));
        expect(await object.Body?.transformToString()).toBe('content');
      }
      await aws.sts().send(info('A1'));
    });
    await aws.reading(() => aws.sts().send(info('A1')));
    await aws.sts().send(info('A1'));
    await aws.sts().send(info('A1'));
    expect(requests).toEqual([
      'AssumeRole',
      'AssumeRole',
      'GET /bucket/k?x-id=GetObject',
      'GET /bucket/k?x-id=GetObject',
      ...Array<string>(4).fill('GetAccessKeyInfo A1'),
    ]);
    aws.destroy();
  });

  it('shares a failure too: the reading is one snapshot', async () => {
    failing = true;
    const aws = new Aws({ region: 'eu-central-1', maxAttempts: 1 });
    await aws.reading(async () => {
      await expect(aws.sts().send(info('A9'))).rejects.toThrow('no');
      await expect(aws.sts().send(info('A9'))).rejects.toThrow('no');
    });
    expect(requests).toEqual(['GetAccessKeyInfo A9']);
    aws.destroy();
  });
});
