import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { UserError, WorkError } from '../errors.js';
import type { Aws } from './clients.js';
import { errorName, isCredentialsError } from './errors.js';

/** What to run, for the profile in use when there is one: a copied command must work as it is. */
function howToProvide(profile: string | undefined): string {
  if (profile) {
    return (
      `for profile ${profile}: \`aws sso login --profile ${profile}\` when it is an SSO profile, else ` +
      `\`aws configure --profile ${profile}\` to set its keys; or pick another with --profile <name>, or ` +
      'set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY'
    );
  }
  return (
    'provide AWS credentials: --profile <name> or AWS_PROFILE, the AWS_ACCESS_KEY_ID / ' +
    'AWS_SECRET_ACCESS_KEY environment variables, `aws configure`, or `aws sso login` for SSO'
  );
}

/** Credential problems the SDK reports under names outside the services' own error codes. */
function looksLikeCredentials(error: unknown): boolean {
  if (isCredentialsError(error)) return true;
  const name = errorName(error);
  return /Credential|TokenProvider|SSO|AccessDenied|ExpiredToken/i.test(name);
}

export interface CallerIdentity {
  accountId: string;
  arn: string;
  /** `aws`, `aws-cn`, `aws-us-gov`, …: the second field of the caller's ARN. */
  partition: string;
}

function partitionOf(arn: string): string {
  return /^arn:([^:]+):/.exec(arn)?.[1] ?? 'aws';
}

/**
 * STS GetCallerIdentity before anything else: a missing or invalid credential is a bad-input error
 * (exit 2, nothing changed) that says how to provide one, not an AWS failure halfway through a run.
 */
export async function preflight(aws: Aws, profile?: string): Promise<CallerIdentity> {
  try {
    const identity = await aws.sts().send(new GetCallerIdentityCommand({}));
    const arn = identity.Arn ?? '';
    return { accountId: identity.Account ?? '', arn, partition: partitionOf(arn) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (looksLikeCredentials(error)) {
      // The SDK reads AWS_PROFILE when no --profile is given: that is the profile in use then.
      const inUse = profile ?? (process.env.AWS_PROFILE || undefined);
      const which = inUse ? ` (profile ${inUse})` : '';
      throw new UserError(`no valid AWS credentials${which}: ${message}`, howToProvide(inUse));
    }
    throw new WorkError(
      `could not reach AWS (STS GetCallerIdentity): ${message}`,
      'check the network and AWS_ENDPOINT_URL',
      {
        cause: error,
      },
    );
  }
}
