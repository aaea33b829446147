import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
} from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkError } from '../../../src/errors.js';
import { createInvalidation, isCompleted, waitForInvalidation } from '../../../src/sync/invalidate.js';

describe('CloudFront invalidation', () => {
  let cloudfrontMock: ReturnType<typeof mockClient>;
  let cloudfront: CloudFrontClient;

  beforeEach(() => {
    cloudfrontMock = mockClient(CloudFrontClient);
    cloudfront = new CloudFrontClient({ region: 'us-east-1' });
  });
  afterEach(() => {
    cloudfrontMock.restore();
  });

  it('sends the paths once with a CallerReference that is stable for the same sync', async () => {
    cloudfrontMock
      .on(CreateInvalidationCommand)
      .resolves({ Invalidation: { Id: 'I1', Status: 'InProgress' } } as never);
    const started = new Date('2026-01-02T03:04:05Z');
    const result = await createInvalidation(cloudfront, 'E1', ['/', '/index.html'], started);
    await createInvalidation(cloudfront, 'E1', ['/', '/index.html'], started);
    await createInvalidation(cloudfront, 'E1', ['/about/'], started);
    expect(result).toEqual({ id: 'I1', status: 'InProgress' });
    const calls = cloudfrontMock.commandCalls(CreateInvalidationCommand).map((c) => c.args[0].input);
    expect(calls[0]).toMatchObject({
      DistributionId: 'E1',
      InvalidationBatch: { Paths: { Quantity: 2, Items: ['/', '/index.html'] } },
    });
    const refs = calls.map((c) => c.InvalidationBatch?.CallerReference);
    expect(refs[0]).toBe(refs[1]);
    expect(refs[0]).not.toBe(refs[2]);
  });

  it('compares the status case-insensitively (Completed on AWS, COMPLETED elsewhere)', () => {
    expect(isCompleted('Completed')).toBe(true);
    expect(isCompleted('COMPLETED')).toBe(true);
    expect(isCompleted('InProgress')).toBe(false);
    expect(isCompleted(undefined)).toBe(false);
  });

  it('waits through InProgress until Completed, reporting each poll', async () => {
    cloudfrontMock
      .on(GetInvalidationCommand)
      .resolvesOnce({ Invalidation: { Id: 'I1', Status: 'InProgress' } } as never)
      .resolvesOnce({ Invalidation: { Id: 'I1', Status: 'InProgress' } } as never)
      .resolves({ Invalidation: { Id: 'I1', Status: 'Completed' } } as never);
    const seen: string[] = [];
    await waitForInvalidation(cloudfront, 'E1', 'I1', {
      intervalMs: 1,
      timeoutMs: 5000,
      onWait: (status) => seen.push(status),
    });
    expect(seen).toEqual(['InProgress', 'InProgress']);
    expect(cloudfrontMock.commandCalls(GetInvalidationCommand)).toHaveLength(3);
  });

  it('gives up with a WorkError that says where to look', async () => {
    cloudfrontMock
      .on(GetInvalidationCommand)
      .resolves({ Invalidation: { Id: 'I1', Status: 'InProgress' } } as never);
    const error = await waitForInvalidation(cloudfront, 'E1', 'I1', { intervalMs: 1, timeoutMs: 5 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkError);
    expect((error as WorkError).message).toMatch(/timed out .* invalidation I1 .*InProgress/);
    expect((error as WorkError).hint).toMatch(/get-invalidation --distribution-id E1 --id I1/);
  });
});
