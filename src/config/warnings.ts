import type { PathIssue } from './path-issue.js';
import type { Config } from './schema.js';

const SSH_PORT = 22;

/**
 * Settings that are legal but dangerous: shown by `validate`, `plan` and `up`, never refused, since a
 * user may mean them (a short-lived test stack, an app that really is an SSH service).
 */
export function configWarnings(config: Config): PathIssue[] {
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
