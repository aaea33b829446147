import { describe, expect, it } from 'vitest';
import { pathText } from '../../../src/config/path-issue.js';
import { configSchema } from '../../../src/config/schema.js';
import { configWarnings } from '../../../src/config/warnings.js';

const warned = (backend: Record<string, unknown>) =>
  configWarnings(
    configSchema.parse({ stack: 'demo', region: 'eu-central-1', domain: 'example.com', backend }),
  ).map((w) => pathText(w.path));

describe('config warnings: legal but dangerous settings', () => {
  it('SSH open to the world, in IPv4 or IPv6', () => {
    expect(warned({ sshCidrs: ['203.0.113.10/32', '0.0.0.0/0', '::/0'] })).toEqual([
      'backend.sshCidrs[1]',
      'backend.sshCidrs[2]',
    ]);
  });

  it('the app on port 22 only when SSH is open too', () => {
    expect(warned({ port: 22, sshCidrs: ['203.0.113.10/32'] })).toEqual(['backend.port']);
    expect(warned({ port: 22 })).toEqual([]);
  });

  it('nothing for the defaults or narrow SSH ranges', () => {
    expect(warned({})).toEqual([]);
    expect(warned({ sshCidrs: ['10.0.0.0/8', '2001:db8::/32'] })).toEqual([]);
  });
});
