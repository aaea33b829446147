import { estimateCost } from '../../cost/estimate.js';
import { discoverForDestroy } from '../../engine/destroy.js';
import { onlyBadInput, plan, planChanges } from '../../engine/plan.js';
import { ExitCode, InterruptedError, UserError } from '../../errors.js';
import { stack } from '../../resources/index.js';
import { backendPreflight } from '../backend-preflight.js';
import { dnsPreflight } from '../dns-preflight.js';
import type { CommandRunner, PlanOptions } from '../options.js';
import { renderCost } from '../render/cost.js';
import { resultColors } from '../render/index.js';
import { destroyPlanDocument, planDocument, renderDestroyPlan, renderPlan } from '../render/plan.js';
import { configWarnings, engineEnv, openSession } from '../session.js';

/** A preflight's answer, or the bad input at which `up` would stop: plan shows it, never failing. */
async function whereUpStops<T>(check: Promise<T>): Promise<{ value?: T; stop?: string }> {
  try {
    return { value: await check };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { stop: `\`up\` would stop here: ${error.message}\n  ${error.hint ?? ''}` };
  }
}

/** `tekamolo plan`: what `up` (or, with --destroy, `destroy`) would do; read-only. */
export const run: CommandRunner<PlanOptions> = async (globals, options, tracer) => {
  const session = await openSession(globals, { command: 'plan', tracer, lock: false, readOnly: true });
  try {
    const env = engineEnv(session, stack, { wait: true, yes: false, readOnly: true, keepBucket: false });
    const c = resultColors(globals, globals.io);
    const { renderer, tracer } = session;
    const { stdout } = globals.io;
    const columns = stdout.isTTY ? stdout.columns : undefined;
    // On stderr: stdout holds the plan (one JSON document with --json).
    for (const warning of configWarnings(session)) renderer.note(`warning: ${warning}`);
    if (options.destroy) {
      const found = await discoverForDestroy(env, { describe: true });
      if (session.signal.aborted) throw new InterruptedError();
      renderer.result({
        text: renderDestroyPlan(found, c, columns),
        document: destroyPlanDocument(found, tracer.calls()),
      });
      if (found.summary.errors) return ExitCode.failure;
      return options.exitCode && found.summary.delete > 0 ? ExitCode.differs : ExitCode.ok;
    }
    const [dns, backend] = await Promise.all([
      whereUpStops(dnsPreflight(env, { skip: false })),
      whereUpStops(backendPreflight(session.aws, session.loaded)),
    ]);
    for (const warning of [dns.value, dns.stop, backend.stop]) {
      if (warning) renderer.note(`warning: ${warning}`);
    }
    const result = await plan(env);
    if (session.signal.aborted) throw new InterruptedError();
    const cost = estimateCost(session.loaded.config, backend.value);
    renderer.result({
      text: `${renderPlan(result, c, globals.verbose, columns)}\n${renderCost(cost, c)}`,
      document: { ...planDocument(result, tracer.calls()), cost },
    });
    if (result.summary.errors) return onlyBadInput(result) ? ExitCode.badInput : ExitCode.failure;
    return options.exitCode && planChanges(result) ? ExitCode.differs : ExitCode.ok;
  } finally {
    await session.close();
  }
};
