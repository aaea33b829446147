import { asRetryAfter } from './attempts.js';

/** Helpers to recognise AWS errors by name, whatever the service's spelling. */

export interface AwsErrorLike {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

export function errorName(error: unknown): string {
  if (!error || typeof error !== 'object') return '';
  const e = error as AwsErrorLike;
  return e.name ?? e.Code ?? '';
}

export function hasErrorName(error: unknown, ...names: string[]): boolean {
  const name = errorName(error);
  return names.includes(name);
}

/** Every "it does not exist" error name of the services tekamolo calls. */
const NOT_FOUND = new Set([
  // S3
  'NoSuchBucket',
  'NotFound',
  'NoSuchKey',
  'NoSuchBucketPolicy',
  'NoSuchTagSet',
  'NoSuchPublicAccessBlockConfiguration',
  'OwnershipControlsNotFoundError',
  'ServerSideEncryptionConfigurationNotFoundError',
  // EC2
  'InvalidGroup.NotFound',
  'InvalidGroupId.NotFound',
  'InvalidLaunchTemplateName.NotFoundException',
  'InvalidLaunchTemplateId.NotFound',
  'InvalidLaunchTemplateId.Malformed',
  'InvalidAllocationID.NotFound',
  'InvalidAssociationID.NotFound',
  'InvalidInstanceID.NotFound',
  'InvalidVpcID.NotFound',
  'InvalidSubnetID.NotFound',
  'InvalidPrefixListID.NotFound',
  // ELBv2
  'LoadBalancerNotFound',
  'LoadBalancerNotFoundException',
  'TargetGroupNotFound',
  'TargetGroupNotFoundException',
  'ListenerNotFound',
  'ListenerNotFoundException',
  'RuleNotFound',
  'RuleNotFoundException',
  // CloudFront
  'NoSuchDistribution',
  'NoSuchOriginAccessControl',
  'NoSuchFunctionExists',
  'NoSuchResource',
  'NoSuchInvalidation',
  // Route 53
  'NoSuchHostedZone',
  // Auto Scaling: a cancel of a refresh that already ended (or was cancelled by the lost first try)
  'ActiveInstanceRefreshNotFound',
  'ActiveInstanceRefreshNotFoundFault',
  // ACM
  'ResourceNotFoundException',
  // SSM
  'ParameterNotFound',
  // IAM
  'NoSuchEntity',
  'NoSuchEntityException',
]);

export function isNotFound(error: unknown): boolean {
  if (NOT_FOUND.has(errorName(error))) return true;
  // Auto Scaling reports a missing group as a ValidationError with this text.
  const e = error as AwsErrorLike | undefined;
  return errorName(error) === 'ValidationError' && /not found/i.test(e?.message ?? '');
}

/** Run `call`; a not-found error becomes `undefined`, every other error is thrown. */
export async function orUndefined<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'AuthFailure',
  'InvalidAccessKeyId',
]);

export function isCredentialsError(error: unknown): boolean {
  return CREDENTIAL_ERRORS.has(errorName(error));
}

export function isThrottling(error: unknown): boolean {
  return hasErrorName(
    error,
    'Throttling',
    'ThrottlingException',
    'TooManyRequestsException',
    'RequestLimitExceeded',
    'SlowDown',
    'PriorRequestNotComplete',
  );
}

/** "creating CloudFront distribution: <AWS message> (CNAMEAlreadyExists)". */
export function describeAwsError(step: string, error: unknown): string {
  const name = errorName(error);
  const message = error instanceof Error ? error.message : String(error);
  return name && !message.includes(name) ? `${step}: ${message} (${name})` : `${step}: ${message}`;
}

/** How many attempts the SDK made for a failed call (its own retries of throttling and 5xx). */
function sdkAttempts(error: unknown): number {
  const attempts = (error as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts;
  return typeof attempts === 'number' && attempts > 0 ? attempts : 1;
}

/**
 * Retry `call` while it fails with one of `names`, or an error `names` accepts (an AWS
 * eventual-consistency error that only its message tells apart), at most
 * `attempts` times, `delayMs` apart. Every use names the AWS cause at the call site. Each retry runs
 * with the count of earlier attempts, which the trace adds to the call's `attempts`.
 */
export async function retryOn<T>(
  names: string[] | ((error: unknown) => boolean),
  call: () => Promise<T>,
  options: { attempts: number; delayMs: number; onRetry?: (error: unknown, attempt: number) => void },
): Promise<T> {
  let sent = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await asRetryAfter(sent, call);
    } catch (error) {
      const retried = typeof names === 'function' ? names(error) : names.includes(errorName(error));
      if (attempt >= options.attempts || !retried) throw error;
      sent += sdkAttempts(error);
      options.onRetry?.(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    }
  }
}
