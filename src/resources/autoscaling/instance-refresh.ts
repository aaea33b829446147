// Rolling a new launch template version onto the instances of an Auto Scaling group: start (waiting
// for or superseding a refresh already running), read back, follow until it ends.
import {
  CancelInstanceRefreshCommand,
  DescribeInstanceRefreshesCommand,
  type InstanceRefresh,
  StartInstanceRefreshCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { hasErrorName, orUndefined } from '../../aws/errors.js';
import { USUALLY } from '../../aws/usual-durations.js';
import { waitFor } from '../../aws/waiter.js';
import type { ResourceContext } from '../../engine/contract.js';
import { retryWhile } from '../shared/retry-while.js';

/** The template version a refresh rolls out. */
export interface RolloutTarget {
  launchTemplateId: string;
  version: string;
}

/**
 * Launch new instances before old ones go: a refresh never drops below full capacity. AutoRollback
 * puts the group back on its previous version when the refresh fails; AWS allows it only with a
 * DesiredConfiguration naming a numbered version, which is why the group's template is changed by
 * the refresh itself and not by UpdateAutoScalingGroup beforehand.
 */
export const REFRESH_PREFERENCES = {
  MinHealthyPercentage: 100,
  MaxHealthyPercentage: 200,
  SkipMatching: true,
  AutoRollback: true,
};
/** How `plan` names the replacement: "2 instances replaced, rolling, min healthy 100%". */
export function rolloutText(replaced: number): string {
  const instances = replaced === 1 ? '1 instance' : `${replaced} instances`;
  return `${instances} replaced, rolling, min healthy ${REFRESH_PREFERENCES.MinHealthyPercentage}%`;
}

const REFRESH_DONE = new Set(['Successful', 'Baseline']);
const REFRESH_FAILED = new Set(['Failed', 'Cancelled', 'RollbackSuccessful', 'RollbackFailed']);
/** States in which a refresh can still be waited for and would finish the rollout. */
const REFRESH_RUNNING = new Set(['Pending', 'InProgress']);
const IN_PROGRESS = ['InstanceRefreshInProgress', 'InstanceRefreshInProgressFault'];

function pollMs(ctx: ResourceContext): number {
  return ctx.config.waits.pollSeconds * 1000;
}

function targetOf(refresh: InstanceRefresh): RolloutTarget | undefined {
  const template = refresh.DesiredConfiguration?.LaunchTemplate;
  if (!template?.LaunchTemplateId || !template.Version) return undefined;
  return { launchTemplateId: template.LaunchTemplateId, version: template.Version };
}

export function sameTarget(a: RolloutTarget | undefined, b: RolloutTarget): boolean {
  return a?.launchTemplateId === b.launchTemplateId && a.version === b.version;
}

function targetText(target: RolloutTarget | undefined): string {
  return target ? `template v${target.version}` : 'no template version of its own';
}

/** The refresh AWS reports as not yet ended for the group (newest first), if any. */
async function activeRefresh(ctx: ResourceContext, name: string): Promise<InstanceRefresh | undefined> {
  const result = await ctx.aws
    .autoscaling()
    .send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: name }));
  return result.InstanceRefreshes?.find(
    (r) => r.Status && !REFRESH_DONE.has(r.Status) && !REFRESH_FAILED.has(r.Status),
  );
}

/**
 * Start a refresh that rolls `target` out. AWS runs one refresh per group: one already rolling out the
 * same version (started by a run whose answer was lost or that was stopped) is followed instead; one
 * rolling out anything else is cancelled and the new one started once the cancel has taken effect.
 */
export async function startRefresh(
  ctx: ResourceContext,
  name: string,
  target: RolloutTarget,
  warmupSeconds: number,
): Promise<string> {
  const autoscaling = ctx.aws.autoscaling();
  const start = async () => {
    const started = await autoscaling.send(
      new StartInstanceRefreshCommand({
        AutoScalingGroupName: name,
        Strategy: 'Rolling',
        DesiredConfiguration: {
          LaunchTemplate: { LaunchTemplateId: target.launchTemplateId, Version: target.version },
        },
        Preferences: { ...REFRESH_PREFERENCES, InstanceWarmup: warmupSeconds },
      }),
    );
    return started.InstanceRefreshId ?? '';
  };
  try {
    return await start();
  } catch (error) {
    if (!hasErrorName(error, ...IN_PROGRESS)) throw error;
  }
  const running = await activeRefresh(ctx, name);
  if (running?.InstanceRefreshId && REFRESH_RUNNING.has(running.Status ?? '')) {
    const runningTarget = targetOf(running);
    if (sameTarget(runningTarget, target)) {
      ctx.progress(
        `instance refresh ${running.InstanceRefreshId} already rolls out template v${target.version}: following it instead of starting another`,
      );
      return running.InstanceRefreshId;
    }
    ctx.progress(
      `cancelling instance refresh ${running.InstanceRefreshId}: it rolls out ${targetText(runningTarget)}, the group now needs v${target.version}`,
    );
    try {
      await autoscaling.send(new CancelInstanceRefreshCommand({ AutoScalingGroupName: name }));
    } catch (error) {
      // Ended between the describe and the cancel: nothing left to cancel, the start below goes ahead.
      if (!hasErrorName(error, 'ActiveInstanceRefreshNotFound', 'ActiveInstanceRefreshNotFoundFault'))
        throw error;
    }
  } else if (running?.InstanceRefreshId) {
    ctx.progress(
      `waiting for instance refresh ${running.InstanceRefreshId} (${running.Status}) to end before starting one for template v${target.version}`,
    );
  }
  // Cancelling (or rolling back) takes a while; until it has ended, a new refresh is refused.
  return retryWhile(ctx, IN_PROGRESS, start, {
    minutes: ctx.config.waits.instancesMinutes,
    what: 'waiting for the previous instance refresh to end',
  });
}

/** One refresh as status shows it: "InProgress 40%, 1 instance to go", or "Failed: <reason>". */
export interface RefreshState {
  status: string;
  line: string;
  done: boolean;
  failed: boolean;
  /** What it rolls out, when it was started with a desired configuration. */
  target?: RolloutTarget;
}

function refreshState(refresh: InstanceRefresh): RefreshState {
  const status = refresh.Status ?? 'unknown';
  const failed = REFRESH_FAILED.has(status);
  const percent = refresh.PercentageComplete === undefined ? '' : ` ${refresh.PercentageComplete}%`;
  const toGo =
    refresh.InstancesToUpdate === undefined
      ? ''
      : `, ${refresh.InstancesToUpdate} instance${refresh.InstancesToUpdate === 1 ? '' : 's'} to go`;
  const why = refresh.RollbackDetails?.RollbackReason ?? refresh.StatusReason;
  const reason = why ? `: ${why}` : '';
  const state: RefreshState = {
    status,
    line: failed ? `${status}${reason}` : `${status}${percent}${toGo}`,
    done: REFRESH_DONE.has(status),
    failed,
  };
  const target = targetOf(refresh);
  if (target) state.target = target;
  return state;
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
  return refresh ? refreshState(refresh) : undefined;
}

/**
 * Why new instances never turned healthy, as the target groups say it ("i-3 unhealthy:
 * Target.FailedHealthChecks"); empty when every target is healthy or none is registered any more.
 */
export async function unhealthyTargets(ctx: ResourceContext, targetGroupArns: string[]): Promise<string[]> {
  const reasons: string[] = [];
  for (const arn of targetGroupArns) {
    const result = await orUndefined(
      ctx.aws.elbv2().send(new DescribeTargetHealthCommand({ TargetGroupArn: arn })),
    );
    for (const target of result?.TargetHealthDescriptions ?? []) {
      const health = target.TargetHealth;
      if (!health?.State || health.State === 'healthy') continue;
      const why = [health.Reason, health.Description].filter(Boolean).join(', ');
      reasons.push(`${target.Target?.Id ?? '?'} ${health.State}${why ? `: ${why}` : ''}`);
    }
  }
  return reasons;
}

export async function followRefresh(
  ctx: ResourceContext,
  name: string,
  refreshId: string,
  targetGroupArns: string[],
): Promise<void> {
  try {
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
        if (refresh.failed) {
          const targets = await unhealthyTargets(ctx, targetGroupArns);
          const never = targets.length > 0 ? `; targets not healthy: ${targets.join('; ')}` : '';
          return { done: false, failed: `${refresh.line}${never}`, status: refresh.status };
        }
        return { done: refresh.done, status: refresh.line };
      },
    });
  } finally {
    // Ended either way (a failed refresh has rolled the group back): the next run reads the instances'
    // versions to decide whether to roll out again. An interrupted wait keeps the id to follow it.
    if (!ctx.signal.aborted) await ctx.record({ refreshId: undefined, lastRefreshId: refreshId });
  }
}
