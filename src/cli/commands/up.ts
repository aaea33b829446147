import { apply } from '../../engine/apply.js';
import { stampEngine } from '../../engine/events.js';
import { UserError } from '../../errors.js';
import { stack } from '../../resources/index.js';
import { backendPreflight } from '../backend-preflight.js';
import { dnsPreflight } from '../dns-preflight.js';
import type { CommandRunner, UpOptions } from '../options.js';
import { resultColors } from '../render/index.js';
import { upSummary } from '../render/summary.js';
import { configWarnings, engineEnv, openSession, runExitCode } from '../session.js';

/** `tekamolo up`: converge AWS to the config; resumes after a crash. */
export const run: CommandRunner<UpOptions> = async (globals, options, tracer) => {
  const keys = stack.map((r) => r.key);
  const unknown = options.takeOver.find((key) => !keys.includes(key));
  if (unknown) {
    throw new UserError(`--take-over ${unknown}: no resource has that key`, `use one of: ${keys.join(', ')}`);
  }
  const session = await openSession(globals, {
    command: 'up',
    tracer,
    lock: true,
    pinAccount: true,
    createStateBucket: true,
  });
  try {
    const env = engineEnv(session, stack, {
      wait: options.wait,
      yes: globals.yes,
      readOnly: false,
      keepBucket: false,
      takeOver: options.takeOver,
    });
    const warnings = configWarnings(session);
    const [dns] = await Promise.all([
      dnsPreflight(env, { skip: options.skipDnsCheck === true }),
      backendPreflight(session.aws, session.loaded),
    ]);
    if (dns) warnings.push(dns);
    for (const message of warnings) session.sink(stampEngine({ code: 'warning', message }));
    const result = await apply(env);
    session.renderer.close();
    session.renderer.result({
      text: upSummary(result, session.loaded.names, resultColors(globals, globals.io)),
    });
    return runExitCode(result, 'up');
  } finally {
    await session.close();
  }
};
