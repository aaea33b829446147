import { createHash } from 'node:crypto';
import {
  type CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
} from '@aws-sdk/client-cloudfront';
import { waitFor } from '../aws/waiter.js';

export interface InvalidationResult {
  id: string;
  status: string;
}

/**
 * One CreateInvalidation per sync. The CallerReference is derived from the distribution, the paths and
 * the sync's start time: the SDK's own retry of a request that did reach CloudFront then returns the
 * same invalidation instead of starting a second one.
 */
export async function createInvalidation(
  cloudfront: CloudFrontClient,
  distributionId: string,
  paths: string[],
  startedAt: Date,
  signal?: AbortSignal,
): Promise<InvalidationResult> {
  const callerReference = `tekamolo-sync-${startedAt.getTime()}-${createHash('sha256')
    .update(`${distributionId}\n${paths.join('\n')}`)
    .digest('hex')
    .slice(0, 16)}`;
  const response = await cloudfront.send(
    new CreateInvalidationCommand({
      DistributionId: distributionId,
      InvalidationBatch: {
        CallerReference: callerReference,
        Paths: { Quantity: paths.length, Items: paths },
      },
    }),
    { abortSignal: signal },
  );
  return { id: response.Invalidation?.Id ?? '', status: response.Invalidation?.Status ?? 'InProgress' };
}

/** AWS says `Completed`; some implementations (the local emulator among them) say `COMPLETED`. */
export function isCompleted(status: string | undefined): boolean {
  return (status ?? '').toLowerCase() === 'completed';
}

export interface InvalidationWait {
  intervalMs: number;
  timeoutMs: number;
  onWait?: (status: string, elapsedMs: number) => void;
  signal?: AbortSignal;
}

/** Wait until CloudFront has removed the paths from every edge (usually under a minute, at times 10+). */
export async function waitForInvalidation(
  cloudfront: CloudFrontClient,
  distributionId: string,
  invalidationId: string,
  wait: InvalidationWait,
): Promise<void> {
  await waitFor<true>({
    what: `CloudFront invalidation ${invalidationId}`,
    intervalMs: wait.intervalMs,
    timeoutMs: wait.timeoutMs,
    hint: `the invalidation goes on without tekamolo: see it with \`aws cloudfront get-invalidation --distribution-id ${distributionId} --id ${invalidationId}\``,
    onWait: wait.onWait,
    signal: wait.signal,
    poll: async () => {
      const response = await cloudfront.send(
        new GetInvalidationCommand({ DistributionId: distributionId, Id: invalidationId }),
        { abortSignal: wait.signal },
      );
      const status = response.Invalidation?.Status ?? 'unknown';
      return { done: isCompleted(status), status, value: true };
    },
  });
}
