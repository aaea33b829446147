// Rolling a new launch template version onto the instances of an Auto Scaling group: start (superseding
// a refresh of an older version), read back, follow until it ends.
import {
  CancelInstanceRefreshCommand,
  DescribeInstanceRefreshesCommand,
  StartInstanceRefreshCommand,
} from '@aws-sdk/client-auto-scaling';
import { hasErrorName, orUndefined } from '../../aws/errors.js';
import { USUALLY } from '../../aws/usual-durations.js';
import { waitFor } from '../../aws/waiter.js';
import type { ResourceContext } from '../../engine/contract.js';
import { retryWhile } from '../shared/retry-while.js';

/** Launch new instances before old ones go: a refresh never drops below full capacity. */
const REFRESH_PREFERENCES = { MinHealthyPercentage: 100, MaxHealthyPercentage: 200, SkipMatching: true };
const REFRESH_DONE = new Set(['Successful', 'Baseline']);
const REFRESH_FAILED = new Set(['Failed', 'Cancelled', 'RollbackSuccessful', 'RollbackFailed']);

function pollMs(ctx: ResourceContext): number {
  return ctx.config.waits.pollSeconds * 1000;
}

export async function startRefresh(
  ctx: ResourceContext,
  name: string,
  warmupSeconds: number,
): Promise<string> {
  const autoscaling = ctx.aws.autoscaling();
  const start = () =>
    autoscaling.send(
      new StartInstanceRefreshCommand({
        AutoScalingGroupName: name,
        Strategy: 'Rolling',
        Preferences: { ...REFRESH_PREFERENCES, InstanceWarmup: warmupSeconds },
      }),
    );
  try {
    const started = await start();
    return started.InstanceRefreshId ?? '';
  } catch (error) {
    if (!hasErrorName(error, 'InstanceRefreshInProgress', 'InstanceRefreshInProgressFault')) throw error;
    // A refresh rolling out an older template version is superseded: cancel it and start over.
    ctx.progress('cancelling the instance refresh in progress (older template version)');
    await orUndefined(autoscaling.send(new CancelInstanceRefreshCommand({ AutoScalingGroupName: name })));
    // Cancelling takes a while; until it has, a new refresh is refused with InstanceRefreshInProgress.
    const started = await retryWhile(
      ctx,
      ['InstanceRefreshInProgress', 'InstanceRefreshInProgressFault'],
      start,
      {
        minutes: ctx.config.waits.instancesMinutes,
        what: 'waiting for the previous instance refresh to cancel',
      },
    );
    return started.InstanceRefreshId ?? '';
  }
}

/** One refresh as status shows it: "InProgress 40%", or "Failed: <reason>". */
export interface RefreshState {
  status: string;
  line: string;
  done: boolean;
  failed: boolean;
}

export async function readRefresh(
  ctx: ResourceContext,
  name: string,
  refreshId: string,
): Promise<RefreshState | undefined> {
  const result = await ctx.aws
    .autoscaling()
    .send(
      new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: name, InstanceRefreshIds: [refreshId] }),
    );
  const refresh = result.InstanceRefreshes?.[0];
  if (!refresh) return undefined;
  const status = refresh.Status ?? 'unknown';
  const failed = REFRESH_FAILED.has(status);
  const percent = refresh.PercentageComplete === undefined ? '' : ` ${refresh.PercentageComplete}%`;
  const reason = refresh.StatusReason ? `: ${refresh.StatusReason}` : '';
  return {
    status,
    line: failed ? `${status}${reason}` : `${status}${percent}`,
    done: REFRESH_DONE.has(status),
    failed,
  };
}

export async function followRefresh(ctx: ResourceContext, name: string, refreshId: string): Promise<void> {
  await waitFor({
    what: `instance refresh ${refreshId} of ${name}`,
    intervalMs: pollMs(ctx),
    timeoutMs: ctx.config.waits.instancesMinutes * 60_000,
    hint: `check the refresh in the EC2 console (Auto Scaling group ${name}, Instance refresh) and the new instances' health checks`,
    onWait: (s, ms) => ctx.waiting(`instance refresh: ${s} (${USUALLY.instanceRefresh})`, ms),
    signal: ctx.signal,
    poll: async () => {
      const refresh = await readRefresh(ctx, name, refreshId);
      if (!refresh) return { done: false, failed: 'the refresh is no longer listed', status: 'unknown' };
      if (refresh.failed) return { done: false, failed: refresh.line, status: refresh.status };
      return { done: refresh.done, status: refresh.line };
    },
  });
  await ctx.record({ refreshId: undefined, lastRefreshId: refreshId });
}
