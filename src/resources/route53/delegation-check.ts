import { UserError } from '../../errors.js';
import { type Delegation, publicDelegation } from './delegation.js';
import { normalizeName } from './records.js';

/** How the public delegation of a name is looked up: the system resolver, or a stand-in in tests. */
export type DelegationLookup = (name: string) => Promise<Delegation>;

export const SKIP_HINT =
  'or pass --skip-dns-check (TEKAMOLO_SKIP_DNS_CHECK=1) to go on anyway: certificates will stay ' +
  'PENDING_VALIDATION until public DNS reaches the zone';

/**
 * Before the first change: ACM validates certificates through public DNS, so a zone the registrar does
 * not delegate to would be found out only when `waits.certificateMinutes` (45 by default) run out.
 * A delegation to other name servers, or none, is bad input (exit 2, nothing changed), naming both
 * sets; no answer (offline, a resolver that fails) is only a warning, returned for the caller to show.
 */
export async function checkDelegation(
  zoneName: string,
  zoneNameServers: string[],
  lookup: DelegationLookup = publicDelegation,
): Promise<string | undefined> {
  const name = normalizeName(zoneName);
  const zone = zoneNameServers.map(normalizeName).sort();
  if (zone.length === 0) return undefined;
  const delegation = await lookup(name);
  const zoneText = zone.join(', ');
  if (delegation.state === 'unknown') {
    return `could not check the public DNS delegation of ${name} (${delegation.reason}): make sure the registrar's name servers are the hosted zone's: ${zoneText}`;
  }
  if (delegation.state === 'undelegated') {
    throw new UserError(
      `public DNS has no name servers for ${name}; the hosted zone's are ${zoneText}`,
      `at the registrar of ${name}, set the name servers to ${zoneText}; ${SKIP_HINT}; nothing was changed`,
    );
  }
  const publicSet = delegation.nameServers.map(normalizeName).sort();
  if (JSON.stringify(publicSet) === JSON.stringify(zone)) return undefined;
  throw new UserError(
    `${name} is delegated to ${publicSet.join(', ')}, but the hosted zone's name servers are ${zoneText}`,
    `at the registrar of ${name}, replace the name servers with ${zoneText}; ${SKIP_HINT}; nothing was changed`,
  );
}
