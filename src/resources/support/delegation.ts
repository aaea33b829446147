import { Resolver } from 'node:dns/promises';
import { normalizeName } from './route53-records.js';

/**
 * The domain's name servers as public DNS delegates them, to explain a certificate that stays
 * PENDING_VALIDATION: ACM only sees the validation records when the registrar delegates the domain
 * to the hosted zone's name servers. Used on a timeout only; it must never hang there.
 */

export type Delegation = { found: true; nameServers: string[] } | { found: false; reason: string };

const LOOKUP_TIMEOUT_MS = 3000;

export async function publicDelegation(domain: string, timeoutMs = LOOKUP_TIMEOUT_MS): Promise<Delegation> {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Delegation>((resolve) => {
    timer = setTimeout(() => {
      resolver.cancel();
      resolve({ found: false, reason: `no answer within ${timeoutMs / 1000}s` });
    }, timeoutMs + 500);
  });
  const lookup = resolver.resolveNs(normalizeName(domain)).then(
    (servers): Delegation => ({ found: true, nameServers: servers.map(normalizeName).sort() }),
    (error: NodeJS.ErrnoException): Delegation => ({ found: false, reason: error.code ?? error.message }),
  );
  try {
    return await Promise.race([lookup, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** One sentence comparing the zone's name servers with the public delegation. */
export function compareDelegation(domain: string, zoneNameServers: string[], delegation: Delegation): string {
  const zone = zoneNameServers.map(normalizeName).sort();
  const zoneText = zone.join(', ') || '(unknown)';
  if (!delegation.found) {
    if (['ENOTFOUND', 'ENODATA', 'NXDOMAIN'].includes(delegation.reason)) {
      return `public DNS has no NS delegation for ${domain}: at the registrar, set the name servers to the zone's: ${zoneText}`;
    }
    return `could not look up the public NS delegation of ${domain} (${delegation.reason}); the zone's name servers are ${zoneText}: check that the registrar uses them`;
  }
  const publicText = delegation.nameServers.join(', ');
  if (JSON.stringify(zone) === JSON.stringify(delegation.nameServers)) {
    return `${domain} is delegated to the zone's name servers (${zoneText}): the records may still be propagating`;
  }
  return `${domain} is delegated to ${publicText}, but the hosted zone's name servers are ${zoneText}: at the registrar, set the name servers to the zone's`;
}
