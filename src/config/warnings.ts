import { keyGlob } from './key-glob.js';
import type { PathIssue } from './path-issue.js';
import type { Config } from './schema.js';
import { SECRET_EXAMPLES } from './secret-names.js';

const SSH_PORT = 22;

/**
 * Settings that are legal but dangerous: shown by `validate`, `plan` and `up` (with the line), never
 * refused, since a user may mean them (a short-lived test stack, an app that really is an SSH service).
 */
export function configWarnings(config: Config): PathIssue[] {
  return [...openSsh(config), ...includedSecrets(config.frontend.include ?? [])];
}

function openSsh(config: Config): PathIssue[] {
  const { sshCidrs, port } = config.backend;
  const warnings: PathIssue[] = [];
  sshCidrs.forEach((cidr, index) => {
    // A prefix length of 0 matches every address (host bits are checked to be zero, so this is
    // 0.0.0.0/0 or ::/0 however it is written).
    if (!cidr.endsWith('/0')) return;
    warnings.push({
      path: ['backend', 'sshCidrs', index],
      anchor: 'value',
      message: `${cidr} opens SSH (port 22) to the whole internet; list only the addresses that need it, or leave sshCidrs empty and connect with Session Manager`,
    });
  });
  if (port === SSH_PORT && sshCidrs.length > 0) {
    warnings.push({
      path: ['backend', 'port'],
      anchor: 'value',
      message:
        '22 is also the SSH port that sshCidrs opens: the load balancer would send requests to the SSH server; use another port for the app, such as 8080',
    });
  }
  return warnings;
}

/** An include glob that publishes a file like `.env` or `id_rsa`: the whole internet can read it. */
function includedSecrets(include: readonly string[]): PathIssue[] {
  const issues: PathIssue[] = [];
  include.forEach((glob, index) => {
    if (glob === '') return;
    const test = keyGlob(glob);
    const caught = SECRET_EXAMPLES.filter((name) => test(name) || test(`site/${name}`));
    if (caught.length === 0) return;
    issues.push({
      path: ['frontend', 'include', index],
      anchor: 'value',
      message: `${JSON.stringify(glob)} publishes secret-looking files such as ${caught[0]}: CloudFront serves them to anyone`,
    });
  });
  return issues;
}
