import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
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
});
