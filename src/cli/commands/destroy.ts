import { destroy, discoverForDestroy } from '../../engine/destroy.js';
import { InterruptedError, UserError } from '../../errors.js';
import { stack } from '../../resources/index.js';
import type { CommandRunner, DestroyOptions } from '../options.js';
import { colors } from '../render/colors.js';
import { resultColors } from '../render/index.js';
import { renderDestroyPlan } from '../render/plan.js';
import { ask, canPrompt } from '../render/prompt.js';
import { destroySummary } from '../render/summary.js';
import { engineEnv, openSession, runExitCode } from '../session.js';

/**
 * `tekamolo destroy`: show what will be deleted (with the bucket's content), have the user type the
 * stack name (or --yes), then delete in reverse dependency order.
 */
export const run: CommandRunner<DestroyOptions> = async (globals, options, tracer) => {
  const session = await openSession(globals, { command: 'destroy', tracer, lock: true });
  try {
    const name = session.loaded.config.stack;
    const runOptions = {
      wait: options.wait,
      yes: globals.yes,
      readOnly: false,
      keepBucket: options.keepBucket,
    };
    const env = engineEnv(session, stack, runOptions);
    const found = await discoverForDestroy(env, { describe: true });
    if (session.signal.aborted) throw new InterruptedError('interrupted: nothing was deleted');
    const c = colors(globals.color);
    session.renderer.note(renderDestroyPlan(found, c).trimEnd());
    if (found.summary.delete > 0 && !globals.yes) {
      if (!canPrompt(globals.io)) {
        throw new UserError(
          `destroy needs a confirmation: nothing was deleted`,
          'run it on a terminal to confirm, or pass --yes',
        );
      }
      const answer = await ask(
        globals.io,
        `Type the stack name (${name}) to delete ${found.summary.delete} resources: `,
        session.signal,
      );
      if (session.signal.aborted) throw new InterruptedError('interrupted: nothing was deleted');
      if (answer !== name) throw new UserError(`"${answer}" is not ${name}: nothing was deleted`);
      // The user confirmed the whole deletion (the bucket's content included): ask nothing more.
      env.options = { ...runOptions, yes: true };
    }
    const result = await destroy(env, found);
    session.renderer.close();
    session.renderer.result({ text: destroySummary(result, name, resultColors(globals, globals.io)) });
    return runExitCode(result, 'destroy');
  } finally {
    await session.close();
  }
};
