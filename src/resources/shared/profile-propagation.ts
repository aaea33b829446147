import { errorName } from '../../aws/errors.js';
import type { ResourceContext } from '../../engine/contract.js';
import { retryWhile } from './retry-while.js';

/**
 * How long a new instance profile may stay unknown to EC2 and Auto Scaling. IAM is eventually
 * consistent: AWS documents that a profile just created (or a role just added to it) can be refused
 * by a launch for several seconds; two minutes is what other tools allow for IAM propagation.
 */
const PROPAGATION_MINUTES = 2;
const DELAY_CAP_MS = 5000;

/**
 * The errors a launch gets while the profile propagates: EC2 answers `InvalidParameterValue` "Value
 * (…) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN"; Auto Scaling
 * wraps it in a `ValidationError` "You must use a valid fully-formed launch template. … Invalid IAM
 * Instance Profile name". Only the message tells these apart from a real mistake in the request.
 */
export function isProfileNotPropagated(error: unknown): boolean {
  if (!['InvalidParameterValue', 'ValidationError'].includes(errorName(error))) return false;
  const message = error instanceof Error ? error.message : '';
  return /Invalid IAM Instance Profile|iamInstanceProfile/i.test(message);
}

/**
 * Run a call that names the instance profile (a launch template, an Auto Scaling group launching
 * from one), again while IAM has not propagated a new profile: bounded, each retry shown as a wait.
 * Launches that Auto Scaling makes later on its own are retried by Auto Scaling itself.
 */
export function whileProfilePropagates<T>(ctx: ResourceContext, call: () => Promise<T>): Promise<T> {
  return retryWhile(ctx, isProfileNotPropagated, call, {
    minutes: PROPAGATION_MINUTES,
    what: 'the new instance profile to reach EC2 (IAM propagation)',
    delayCapMs: DELAY_CAP_MS,
  });
}
