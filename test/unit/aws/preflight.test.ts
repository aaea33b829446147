import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Aws } from '../../../src/aws/clients.js';
import { preflight } from '../../../src/aws/preflight.js';
import { Tracer } from '../../../src/aws/trace.js';
import { ExitCode, UserError, WorkError } from '../../../src/errors.js';

const sts = mockClient(STSClient);

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

describe('preflight', () => {
  let aws: Aws;
  beforeEach(() => {
    sts.reset();
    aws = new Aws({ region: 'eu-central-1', tracer: new Tracer(), maxAttempts: 1 });
  });
  afterEach(() => {
    aws.destroy();
    sts.reset();
  });

  it('returns the account id and the partition of the caller', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolvesOnce({ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/me' })
      .resolves({ Account: '444455556666', Arn: 'arn:aws-cn:sts::444455556666:assumed-role/ops/me' });
    await expect(preflight(aws)).resolves.toEqual({
      accountId: '111122223333',
      arn: 'arn:aws:iam::111122223333:user/me',
      partition: 'aws',
    });
    await expect(preflight(aws)).resolves.toMatchObject({ accountId: '444455556666', partition: 'aws-cn' });
  });

  it.each([
    ['CredentialsProviderError', 'Could not load credentials from any providers'],
    ['InvalidClientTokenId', 'The security token included in the request is invalid.'],
    ['ExpiredToken', 'The security token included in the request is expired'],
    ['TokenProviderError', 'The SSO session associated with this profile has expired'],
  ])('turns %s into bad input (exit 2) that says how to provide credentials', async (name, message) => {
    sts.on(GetCallerIdentityCommand).rejects(awsError(name, message));
    const error = await preflight(aws, 'work').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(ExitCode.badInput);
    expect((error as UserError).message).toBe(`no valid AWS credentials (profile work): ${message}`);
    expect((error as UserError).hint).toContain('--profile');
    expect((error as UserError).hint).toContain('AWS_ACCESS_KEY_ID');
    expect((error as UserError).hint).toContain('aws sso login');
  });

  it('names the profile actually in use in the hint: --profile first, else AWS_PROFILE', async () => {
    sts.on(GetCallerIdentityCommand).rejects(awsError('TokenProviderError', 'The SSO session has expired'));
    const flagged = (await preflight(aws, 'work').catch((e: unknown) => e)) as UserError;
    expect(flagged.hint).toContain('`aws sso login --profile work`');
    expect(flagged.hint).toContain('`aws configure --profile work`');
    expect(flagged.hint).not.toContain('login --profile <name>');

    // Set by assignment, not vi.stubEnv: unit files share a worker, and unstubbing restores what the
    // first stub in the worker found, which may be another file's value.
    const before = process.env.AWS_PROFILE;
    try {
      process.env.AWS_PROFILE = 'ops';
      const fromEnv = (await preflight(aws).catch((e: unknown) => e)) as UserError;
      expect(fromEnv.message).toBe('no valid AWS credentials (profile ops): The SSO session has expired');
      expect(fromEnv.hint).toContain('`aws sso login --profile ops`');

      delete process.env.AWS_PROFILE;
      const none = (await preflight(aws).catch((e: unknown) => e)) as UserError;
      expect(none.message).toBe('no valid AWS credentials: The SSO session has expired');
      expect(none.hint).toContain('`aws sso login`');
      expect(none.hint).toContain('--profile <name>');
    } finally {
      if (before === undefined) delete process.env.AWS_PROFILE;
      else process.env.AWS_PROFILE = before;
    }
  });

  it('reports an unreachable endpoint as a failure while working (exit 1)', async () => {
    sts.on(GetCallerIdentityCommand).rejects(awsError('Error', 'connect ECONNREFUSED 127.0.0.1:9'));
    const error = await preflight(aws).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkError);
    expect((error as WorkError).message).toContain('ECONNREFUSED');
  });
});
