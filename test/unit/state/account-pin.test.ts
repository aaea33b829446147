import { describe, expect, it } from 'vitest';
import { ExitCode, UserError } from '../../../src/errors.js';
import { checkAccountPin } from '../../../src/state/account-pin.js';

const STATE = '/srv/site/.tekamolo/state.json';
const FIRST = { id: '111122223333', partition: 'aws' };

function refusal(run: () => void): UserError {
  try {
    run();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected the run to be refused');
}

describe('account pin', () => {
  it('lets a run go on in the recorded account, and when no account is recorded yet', () => {
    expect(() => checkAccountPin(STATE, FIRST, { ...FIRST }, 'dev')).not.toThrow();
    expect(() =>
      checkAccountPin(STATE, undefined, { id: '444455556666', partition: 'aws' }, null),
    ).not.toThrow();
  });

  it('stops credentials of another account as bad input, naming both accounts and the profile', () => {
    const error = refusal(() =>
      checkAccountPin(STATE, FIRST, { id: '444455556666', partition: 'aws' }, 'dev'),
    );
    expect(error.exitCode).toBe(ExitCode.badInput);
    expect(error.message).toBe(
      `the state file ${STATE} belongs to AWS account 111122223333 (aws), but the credentials in use ` +
        '(profile dev) are of account 444455556666 (aws); nothing was changed',
    );
    expect(error.hint).toContain('use credentials of account 111122223333');
  });

  it('says so when no profile is in use, and stops another partition with the same account id', () => {
    const error = refusal(() => checkAccountPin(STATE, FIRST, { id: FIRST.id, partition: 'aws-cn' }, null));
    expect(error.message).toContain(
      '(no profile: the default credential chain) are of account 111122223333 (aws-cn)',
    );
  });
});
