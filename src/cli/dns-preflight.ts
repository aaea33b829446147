import type { EngineEnv } from '../engine/env.js';
import { lookResource } from '../engine/observe.js';
import { checkDelegation, type DelegationLookup } from '../resources/route53/delegation-check.js';
import { type ActualZone, zone } from '../resources/route53/zone.js';

export interface DnsPreflightOptions {
  /** `--skip-dns-check`; TEKAMOLO_SKIP_DNS_CHECK=1 in the environment skips it too. */
  skip: boolean;
  lookup?: DelegationLookup;
}

/** Whether the environment asks to skip the check (the flag's counterpart for CI jobs). */
function skipDnsCheckFromEnv(): boolean {
  const value = process.env.TEKAMOLO_SKIP_DNS_CHECK;
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/**
 * The hosted zone's name servers against the public delegation, read-only, before `up` changes
 * anything. Throws (exit 2) on a mismatch; returns a warning when public DNS gives no answer. A zone
 * that is not found is left to the run itself, which says what to do.
 */
export async function dnsPreflight(
  env: EngineEnv,
  options: DnsPreflightOptions,
): Promise<string | undefined> {
  if (options.skip || skipDnsCheckFromEnv()) return undefined;
  const [observation] = await lookResource(
    env,
    zone,
    () => undefined,
    () => undefined,
  );
  const found = observation.actual as ActualZone | undefined;
  if (!found) return undefined;
  return checkDelegation(found.name, found.nameServers, options.lookup);
}
