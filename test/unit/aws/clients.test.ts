import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { StandardRetryStrategy } from '@smithy/core/retry';
import type { RetryErrorInfo, StandardRetryToken } from '@smithy/types';
import { afterEach, describe, expect, it } from 'vitest';
import { Aws, REQUEST_TIMEOUT_MS } from '../../../src/aws/clients.js';
import { Tracer } from '../../../src/aws/trace.js';

describe('Aws clients', () => {
  let server: Server | undefined;
  const saved = { ...process.env };
  afterEach(async () => {
    process.env = { ...saved };
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('gives every client a bounded request timeout', async () => {
    const aws = new Aws({ region: 'eu-central-1' });
    const handler = aws.sts().config.requestHandler as unknown as {
      configProvider: Promise<{ requestTimeout?: number }>;
    };
    const resolved = await handler.configProvider;
    expect(resolved.requestTimeout).toBe(REQUEST_TIMEOUT_MS);
    aws.destroy();
  });

  it('creates one client per service and region, traced with the user agent of tekamolo', async () => {
    let userAgent = '';
    server = createServer((req, res) => {
      userAgent = String(req.headers['user-agent'] ?? '');
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        '<GetCallerIdentityResponse><GetCallerIdentityResult><Account>111122223333</Account>' +
          '<Arn>arn:aws:iam::111122223333:user/x</Arn><UserId>X</UserId></GetCallerIdentityResult>' +
          '</GetCallerIdentityResponse>',
      );
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${port}`;
    process.env.AWS_ACCESS_KEY_ID = 'k';
    process.env.AWS_SECRET_ACCESS_KEY = 's';
    const tracer = new Tracer();
    const aws = new Aws({ region: 'eu-central-1', tracer, maxAttempts: 1 });
    expect(aws.sts()).toBe(aws.sts());
    expect(aws.acm('us-east-1')).not.toBe(aws.acm('eu-central-1'));
    const out = await aws.sts().send(new GetCallerIdentityCommand({}));
    expect(out.Account).toBe('111122223333');
    expect(userAgent).toMatch(/tekamolo\/\d+\.\d+\.\d+/);
    expect(tracer.records).toEqual([
      expect.objectContaining({ service: 'sts', operation: 'GetCallerIdentity', ok: true, attempts: 1 }),
    ]);
    aws.destroy();
  });

  it('uses the adaptive retry mode, or the retry strategy a program running tekamolo inside itself gives', async () => {
    const adaptive = new Aws({ region: 'eu-central-1' });
    expect(await adaptive.sts().config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
    adaptive.destroy();

    let answers = 0;
    server = createServer((_req, res) => {
      answers++;
      if (answers === 1) {
        res.writeHead(500, { 'content-type': 'text/xml' });
        res.end('<ErrorResponse><Error><Code>InternalFailure</Code></Error></ErrorResponse>');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        '<GetCallerIdentityResponse><GetCallerIdentityResult><Account>111122223333</Account>' +
          '</GetCallerIdentityResult></GetCallerIdentityResponse>',
      );
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.AWS_ACCESS_KEY_ID = 'k';
    process.env.AWS_SECRET_ACCESS_KEY = 's';
    const made: number[] = [];
    const retries: string[] = [];
    class CountingRetries extends StandardRetryStrategy {
      override refreshRetryTokenForRetry(token: StandardRetryToken, error: RetryErrorInfo) {
        retries.push(error.errorType);
        return super.refreshRetryTokenForRetry(token, error);
      }
    }
    const aws = new Aws({
      region: 'eu-central-1',
      maxAttempts: 4,
      retryStrategy: (maxAttempts) => {
        made.push(maxAttempts);
        return new CountingRetries(maxAttempts);
      },
    });
    const out = await aws.sts().send(new GetCallerIdentityCommand({}));
    expect(out.Account).toBe('111122223333');
    expect(made).toEqual([4]);
    expect(retries).toEqual(['TRANSIENT']);
    aws.destroy();
  });
});
