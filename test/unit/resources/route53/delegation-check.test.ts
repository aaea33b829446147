import { describe, expect, it } from 'vitest';
import { ExitCode, UserError } from '../../../../src/errors.js';
import type { Delegation } from '../../../../src/resources/route53/delegation.js';
import { checkDelegation } from '../../../../src/resources/route53/delegation-check.js';

const ZONE = ['ns-1.awsdns-01.com', 'ns-2.awsdns-02.net.'];
const answer = (delegation: Delegation) => async () => delegation;

async function failure(work: Promise<unknown>): Promise<UserError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('checkDelegation', () => {
  it('passes when public DNS delegates to the zone, whatever the order, case and final dot', async () => {
    const lookup = answer({ state: 'delegated', nameServers: ['NS-2.awsdns-02.net', 'ns-1.awsdns-01.com.'] });
    expect(await checkDelegation('example.com.', ZONE, lookup)).toBeUndefined();
  });

  it('stops with exit 2 on other name servers, naming both sets and what to change at the registrar', async () => {
    const lookup = answer({ state: 'delegated', nameServers: ['a.iana-servers.net', 'b.iana-servers.net'] });
    const error = await failure(checkDelegation('example.com', ZONE, lookup));
    expect(error.exitCode).toBe(ExitCode.badInput);
    expect(error.message).toBe(
      "example.com is delegated to a.iana-servers.net, b.iana-servers.net, but the hosted zone's name servers are ns-1.awsdns-01.com, ns-2.awsdns-02.net",
    );
    expect(error.hint).toContain(
      'at the registrar of example.com, replace the name servers with ns-1.awsdns-01.com',
    );
    expect(error.hint).toContain('--skip-dns-check');
    expect(error.hint).toContain('nothing was changed');
  });

  it('stops with exit 2 when public DNS answers and has no name servers for the domain', async () => {
    const error = await failure(checkDelegation('example.com', ZONE, answer({ state: 'undelegated' })));
    expect(error.message).toContain('public DNS has no name servers for example.com');
    expect(error.message).toContain('ns-1.awsdns-01.com, ns-2.awsdns-02.net');
  });

  it('only warns when public DNS gives no answer (offline, a failing resolver)', async () => {
    const lookup = answer({ state: 'unknown', reason: 'ECONNREFUSED' });
    const warning = await checkDelegation('example.com', ZONE, lookup);
    expect(warning).toContain('could not check the public DNS delegation of example.com (ECONNREFUSED)');
    expect(warning).toContain('ns-1.awsdns-01.com, ns-2.awsdns-02.net');
  });

  it('does not look up anything for a zone without name servers (reported by the zone itself)', async () => {
    let asked = false;
    const lookup = async (): Promise<Delegation> => {
      asked = true;
      return { state: 'undelegated' };
    };
    expect(await checkDelegation('example.com', [], lookup)).toBeUndefined();
    expect(asked).toBe(false);
  });
});
