import { UserError } from '../errors.js';
import type { AccountPin } from './types.js';

/**
 * A state file made in one account must not steer a run in another: copied folders, restored
 * backups and a wrong AWS_PROFILE all end here. Checked right after the preflight, before any
 * change; `profile` is the profile in use (null: the default credential chain).
 */
export function checkAccountPin(
  statePath: string,
  pinned: AccountPin | undefined,
  current: AccountPin,
  profile: string | null,
): void {
  if (!pinned || (pinned.id === current.id && pinned.partition === current.partition)) return;
  const using = profile ? `profile ${profile}` : 'no profile: the default credential chain';
  throw new UserError(
    `the state file ${statePath} belongs to AWS account ${pinned.id} (${pinned.partition}), but the ` +
      `credentials in use (${using}) are of account ${current.id} (${current.partition}); nothing was changed`,
    `use credentials of account ${pinned.id} (--profile or AWS_PROFILE), or give this account its own state file (state.path)`,
  );
}
