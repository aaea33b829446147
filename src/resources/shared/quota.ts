import { hasErrorName } from '../../aws/errors.js';
import { UserError } from '../../errors.js';

/**
 * A quota hit is not something a retry fixes: the named AWS error becomes a UserError that says which
 * quota and what to do. Other errors pass through unchanged.
 */
export async function asQuotaError<T>(errorName: string, quota: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (!hasErrorName(error, errorName, `${errorName}Exception`)) throw error;
    throw new UserError(
      `AWS quota reached: ${quota} (${errorName})`,
      `delete what is no longer used, or request a higher "${quota}" quota in the Service Quotas console`,
    );
  }
}
