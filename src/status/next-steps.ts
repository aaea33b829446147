import type { Config } from '../config/schema.js';
import type { StatusRow } from './row.js';

export interface NextStepInput {
  config: Config;
  stateFile: { path: string; exists: boolean };
  /** The hosted zone's name servers: where the domain's NS records must point. */
  nameServers: string[];
  /** Resources that are looked up, never created (the hosted zone, the network). */
  readOnlyKeys: Set<string>;
  /** Resources the engine did not look up: a dependency could not be read, or the reading was stopped. */
  notChecked: Set<string>;
  /**
   * A `destroy` returned while the distribution was being deleted (`--no-wait`, or stopped then): what
   * it deleted shows as missing and the disabled distribution as drifted, and the way on is another
   * destroy, not `up`.
   */
  destroyUnfinished: boolean;
}

const CERTIFICATE_KEYS = new Set(['certificate.cdn', 'certificate.origin', 'validation']);

function keys(rows: StatusRow[]): string {
  return rows.map((r) => r.key).join(', ');
}

function fields(row: StatusRow): string {
  return [...new Set(row.changes.map((c) => c.field))].join(', ');
}

function healthDetail(row: StatusRow): string {
  return row.health && 'detail' in row.health && row.health.detail ? row.health.detail : row.state;
}

/** The advice for one resource that is pending or unhealthy, by kind. */
function healthStep(row: StatusRow, input: NextStepInput): string {
  const { backend } = input.config;
  const detail = healthDetail(row);
  if (row.key === 'targetGroup' && row.state === 'unhealthy') {
    return `targets fail the health check (${detail}): check that the app answers GET ${backend.healthCheckPath} on port ${backend.port} on the instances (user data, instance logs)`;
  }
  if (row.key === 'targetGroup')
    return `targets are registering (${detail}): run \`tekamolo status --watch\` to follow them`;
  if (row.key === 'autoScalingGroup' && row.state === 'pending') {
    return `instances are starting or an instance refresh is running (${detail}): run \`tekamolo status --watch\` to follow it`;
  }
  if (row.key === 'autoScalingGroup') {
    return `instances are unhealthy (${detail}): check the instances' logs and user data; the group replaces unhealthy instances`;
  }
  if (row.key === 'elasticIp' && row.state === 'pending') {
    return `the Elastic IP is not associated (${detail}): \`tekamolo up\` associates it`;
  }
  if (row.key === 'distribution' && row.state === 'pending') {
    return `CloudFront is deploying (${detail}): this usually takes 5–15 minutes; run \`tekamolo status\` again`;
  }
  if (row.key === 'loadBalancer' && row.state === 'pending') {
    return 'the load balancer is provisioning: this takes a few minutes; run `tekamolo status` again';
  }
  // Some details already say what `up` does about it ("…; up re-associates it").
  const repair = row.state === 'unhealthy' && !/\bup\b/.test(detail);
  return `${row.key}: ${detail}${repair ? '; `tekamolo up` repairs what it owns' : ''}`;
}

/**
 * What to do next, most urgent first: what could not be read, what is missing, what is not ours, what
 * drifted, then what is pending or unhealthy. Empty when everything is ok.
 */
export function nextSteps(rows: StatusRow[], input: NextStepInput): string[] {
  const steps: string[] = [];
  const of = (state: StatusRow['state']) => rows.filter((r) => r.state === state);

  const errors = of('error');
  // A resource whose dependency could not be read was not looked up: one line for all of them.
  const notChecked = errors.filter((r) => input.notChecked.has(r.key));
  for (const row of errors.filter((r) => !notChecked.includes(r))) {
    steps.push(`${row.key} could not be read: ${row.hint ?? row.error ?? 'see above'}`);
  }
  if (notChecked.length > 0) {
    steps.push(`not checked until what they depend on can be read: ${keys(notChecked)}`);
  }

  if (input.destroyUnfinished) {
    steps.push(
      'a `tekamolo destroy` has not finished: run it again to delete what is left (`tekamolo up` would build the stack again instead)',
    );
  }

  const missing = of('missing');
  const ours = rows.filter((r) => r.id !== null && !input.readOnlyKeys.has(r.key));
  if (!input.stateFile.exists && ours.length > 0) {
    steps.push(
      `the state file ${input.stateFile.path} is missing: these resources were found by name and tag; \`tekamolo up\` adopts them into a new state file`,
    );
  }
  const lookedUpOnly = missing.filter((r) => input.readOnlyKeys.has(r.key));
  for (const row of lookedUpOnly) {
    steps.push(`${row.key} is missing: ${row.reason ?? row.hint ?? 'not found'}`);
  }
  const creatable = missing.filter((r) => !input.readOnlyKeys.has(r.key));
  if (creatable.length > 0 && !input.destroyUnfinished) {
    const then = lookedUpOnly.length > 0 ? 'once that is fixed, ' : '';
    steps.push(
      ours.length === 0
        ? `nothing of stack ${input.config.stack} exists yet: ${then}run \`tekamolo up\``
        : `missing: ${keys(creatable)}; ${then}\`tekamolo up\` creates them`,
    );
  }

  for (const row of of('foreign')) {
    steps.push(
      `${row.key}: ${row.reason ?? 'not this stack’s'}; ${row.hint ?? '`tekamolo up` asks before taking it over'}`,
    );
  }

  const leftovers = of('leftover');
  if (leftovers.length > 0 && !input.destroyUnfinished) {
    const what = leftovers.map((r) => `${r.key} ${r.shortId ?? r.id}`).join(', ');
    steps.push(`leftover: ${what} (tagged with the stack, not wanted); \`tekamolo up\` deletes them`);
  }

  const drifted = of('drifted');
  if (drifted.length > 0 && !input.destroyUnfinished) {
    const what = drifted.map((r) => `${r.key} (${fields(r)})`).join(', ');
    steps.push(
      `drifted from the config: ${what}; \`tekamolo plan\` shows the changes, \`tekamolo up\` puts them back`,
    );
  }

  const waiting = [...of('unhealthy'), ...of('pending')];
  const certificates = waiting.filter((r) => CERTIFICATE_KEYS.has(r.key));
  if (certificates.some((r) => r.state === 'pending')) {
    const ns = input.nameServers.length > 0 ? ` (${input.nameServers.join(', ')})` : '';
    steps.push(
      `certificate pending: the CNAMEs are in Route 53; check that the domain's NS records point at the hosted zone${ns}`,
    );
  }
  for (const row of certificates.filter((r) => r.state === 'unhealthy')) {
    steps.push(`${row.key}: ${healthDetail(row)}`);
  }
  for (const row of waiting.filter((r) => !CERTIFICATE_KEYS.has(r.key))) steps.push(healthStep(row, input));

  return steps;
}
