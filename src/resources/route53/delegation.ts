import { Resolver } from 'node:dns/promises';
import { normalizeName } from './records.js';

/**
 * The domain's name servers as public DNS delegates them, to explain a certificate that stays
 * PENDING_VALIDATION: ACM only sees the validation records when the registrar delegates the domain
 * to the hosted zone's name servers. Used on a timeout only; it must never hang there.
 */

export type Delegation =
  | { state: 'delegated'; nameServers: string[] }
  /** Public DNS answers, and has no NS records for the domain. */
  | { state: 'undelegated' }
  /** No usable answer: no network, a resolver that fails every name, a timeout. */
  | { state: 'unknown'; reason: string };

const LOOKUP_TIMEOUT_MS = 3000;
const NO_SUCH_NAME = new Set(['ENOTFOUND', 'ENODATA']);

function withDeadline<T>(work: Promise<T>, ms: number, onLate: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onLate()), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

async function nameServersOf(resolver: Resolver, name: string): Promise<string[] | { code: string }> {
  try {
    return (await resolver.resolveNs(name)).map(normalizeName).sort();
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return { code: e.code ?? e.message };
  }
}

export async function publicDelegation(domain: string, timeoutMs = LOOKUP_TIMEOUT_MS): Promise<Delegation> {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  const lookup = async (): Promise<Delegation> => {
    const name = normalizeName(domain);
    const answer = await nameServersOf(resolver, name);
    if (Array.isArray(answer)) return { state: 'delegated', nameServers: answer };
    if (!NO_SUCH_NAME.has(answer.code)) return { state: 'unknown', reason: answer.code };
    // "No such name" is only believable when public DNS answers for the top-level domain: some
    // resolvers (offline, captive) answer NXDOMAIN for everything.
    const tld = name.split('.').pop() ?? name;
    const probe = await nameServersOf(resolver, tld);
    return Array.isArray(probe)
      ? { state: 'undelegated' }
      : { state: 'unknown', reason: `public DNS does not answer here (${probe.code} for .${tld})` };
  };
  return withDeadline(lookup(), timeoutMs * 2 + 500, () => {
    resolver.cancel();
    return { state: 'unknown', reason: `no answer within ${(timeoutMs * 2 + 500) / 1000}s` };
  });
}

/** One sentence comparing the zone's name servers with the public delegation. */
export function compareDelegation(domain: string, zoneNameServers: string[], delegation: Delegation): string {
  const zone = zoneNameServers.map(normalizeName).sort();
  const zoneText = zone.join(', ') || '(unknown)';
  if (delegation.state === 'undelegated') {
    return `public DNS has no NS delegation for ${domain}: at the registrar, set the name servers to the zone's: ${zoneText}`;
  }
  if (delegation.state === 'unknown') {
    return `could not look up the public NS delegation of ${domain} (${delegation.reason}); the zone's name servers are ${zoneText}: check that the registrar uses them`;
  }
  const publicText = delegation.nameServers.join(', ');
  if (JSON.stringify(zone) === JSON.stringify(delegation.nameServers)) {
    return `${domain} is delegated to the zone's name servers (${zoneText}): the records may still be propagating`;
  }
  return `${domain} is delegated to ${publicText}, but the hosted zone's name servers are ${zoneText}: at the registrar, set the name servers to the zone's`;
}
