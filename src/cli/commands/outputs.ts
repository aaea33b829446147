import { estimateCost } from '../../cost/estimate.js';
import { ExitCode } from '../../errors.js';
import { JSON_VERSION } from '../../output/message.js';
import { readOutputs, type StackOutputs } from '../../outputs/read.js';
import { checkNetwork } from '../../resources/ec2/backend-check.js';
import type { CommandRunner } from '../options.js';
import { renderCost } from '../render/cost.js';
import { resultColors } from '../render/index.js';
import { openSession } from '../session.js';

function text(o: StackOutputs): string {
  const stage = o.stage === null ? '' : `stage ${o.stage}, `;
  const rows: [string, string | null][] = [
    ['stack', `${o.stack} (${stage}account ${o.account}, ${o.region})`],
    ['site', o.urls.site.join('  ')],
    ['api', o.urls.api],
    ['cloudfront', o.distribution ? `${o.urls.cloudfront} (${o.distribution.id})` : null],
    ['bucket', o.bucket],
    ['load balancer', o.loadBalancer?.dnsName ?? null],
    ['elastic ip', o.elasticIp],
    ['instances', o.instances.length > 0 ? o.instances.join(', ') : null],
  ];
  return rows.map(([name, value]) => `${name.padEnd(14)}${value ?? '-'}\n`).join('');
}

/** `tekamolo outputs`: the stack's addresses and ids from the state, each confirmed by one read. */
export const run: CommandRunner<Record<string, never>> = async (globals, _options, tracer) => {
  const session = await openSession(globals, { command: 'outputs', tracer, lock: false, readOnly: true });
  try {
    const { config, names, stage } = session.loaded;
    const [outputs, network] = await Promise.all([
      readOutputs({
        aws: session.aws,
        config,
        names,
        accountId: session.accountId,
        ...(stage && { stage: stage.name }),
        saved: (key) => session.store.get(key),
      }),
      // The subnets' zones and public addressing, which the cost of the addresses depends on.
      checkNetwork(session.aws, config),
    ]);
    const cost = estimateCost(config, network.subnets);
    const ok = outputs.missing.length === 0;
    if (globals.json) {
      const awsCalls = session.tracer.calls();
      const document = { version: JSON_VERSION, command: 'outputs', ...outputs, cost, awsCalls, ok };
      globals.io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    } else {
      globals.io.stdout.write(`${text(outputs)}\n${renderCost(cost, resultColors(globals, globals.io))}`);
    }
    if (ok) return ExitCode.ok;
    const where = session.store.exists ? '' : ` (no state file at ${session.store.path})`;
    globals.io.stderr.write(
      `not found in AWS${where}: ${outputs.missing.join(', ')}; \`tekamolo up\` creates them, ` +
        '`tekamolo status` shows what is there\n',
    );
    return ExitCode.failure;
  } finally {
    await session.close();
  }
};
