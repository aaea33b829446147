import type { Aws } from '../aws/clients.js';
import { formatIssue } from '../config/issues.js';
import type { LoadedConfig } from '../config/load.js';
import { UserError } from '../errors.js';
import { checkBackend, type SubnetFacts } from '../resources/ec2/backend-check.js';

/**
 * The backend's AMI, instance type, key pair, VPC and subnets against the region, read-only, before
 * `up` changes anything. Throws (exit 2) naming each field at its line; returns what the subnets are
 * like (for the cost estimate) when they were found.
 */
export async function backendPreflight(
  aws: Aws,
  loaded: Pick<LoadedConfig, 'config' | 'place'>,
): Promise<SubnetFacts | undefined> {
  const { problems, subnets } = await checkBackend(aws, loaded.config);
  if (problems.length === 0) return subnets;
  const issues = loaded.place(problems);
  const lines = issues.map((issue) => `  ${formatIssue(issue)}`);
  throw new UserError(
    `the backend config does not match what ${loaded.config.region} has:\n${lines.join('\n')}`,
    'fix the fields above; `tekamolo plan` checks again; nothing was changed',
  );
}
