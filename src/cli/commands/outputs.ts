import { ExitCode } from '../../errors.js';
import { readOutputs, type StackOutputs } from '../../outputs/read.js';
import type { CommandRunner } from '../options.js';
import { openSession } from '../session.js';

/** Version of the `outputs --json` document: a consumer can tell a later shape from this one. */
const OUTPUTS_VERSION = 1;

function text(o: StackOutputs): string {
  const rows: [string, string | null][] = [
    ['stack', `${o.stack} (account ${o.account}, ${o.region})`],
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
    const { config, names } = session.loaded;
    const outputs = await readOutputs({
      aws: session.aws,
      config,
      names,
      accountId: session.accountId,
      saved: (key) => session.store.get(key),
    });
    const ok = outputs.missing.length === 0;
    if (globals.json) {
      const awsCalls = { total: session.tracer.records.length, changing: session.tracer.changingCalls };
      const document = { version: OUTPUTS_VERSION, ...outputs, awsCalls, ok };
      globals.io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    } else {
      globals.io.stdout.write(text(outputs));
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
