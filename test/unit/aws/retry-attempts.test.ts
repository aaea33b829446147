import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import { Aws } from '../../../src/aws/clients.js';
import { retryOn } from '../../../src/aws/errors.js';
import { Tracer } from '../../../src/aws/trace.js';

const OK =
  '<GetCallerIdentityResponse><GetCallerIdentityResult><Account>111122223333</Account>' +
  '<Arn>arn:aws:iam::111122223333:user/x</Arn><UserId>X</UserId></GetCallerIdentityResult>' +
  '</GetCallerIdentityResponse>';
const NOT_YET =
  '<ErrorResponse><Error><Type>Sender</Type><Code>NotVisibleYet</Code><Message>not yet</Message></Error>' +
  '<RequestId>r</RequestId></ErrorResponse>';

describe('a retry at the call site in the trace', () => {
  let server: Server | undefined;
  const saved = { ...process.env };
  afterEach(async () => {
    process.env = { ...saved };
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('counts the earlier attempts in `attempts` of each retried call', async () => {
    let requests = 0;
    server = createServer((_req, res) => {
      requests++;
      res.writeHead(requests <= 2 ? 400 : 200, { 'content-type': 'text/xml' });
      res.end(requests <= 2 ? NOT_YET : OK);
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.AWS_ACCESS_KEY_ID = 'k';
    process.env.AWS_SECRET_ACCESS_KEY = 's';
    const tracer = new Tracer();
    const aws = new Aws({ region: 'eu-central-1', tracer, maxAttempts: 1 });
    const retried: number[] = [];
    const out = await retryOn(['NotVisibleYet'], () => aws.sts().send(new GetCallerIdentityCommand({})), {
      attempts: 3,
      delayMs: 0,
      onRetry: (_error, attempt) => retried.push(attempt),
    });
    expect(out.Account).toBe('111122223333');
    expect(retried).toEqual([1, 2]);
    expect(tracer.records.map((r) => [r.ok, r.error, r.attempts])).toEqual([
      [false, 'NotVisibleYet', 1],
      [false, 'NotVisibleYet', 2],
      [true, undefined, 3],
    ]);
    aws.destroy();
  });
});
