import { Command, InvalidArgumentError, Option } from 'commander';
import { Tracer } from '../aws/trace.js';
import { MAX_CONCURRENCY, MAX_WAIT_SECONDS, TIMER_LIMIT_REASON } from '../config/limits.js';
import { closest } from '../config/suggest.js';
import { ExitCode } from '../errors.js';
import { VERSION } from '../version.js';
import type {
  CommandRunner,
  DestroyOptions,
  GlobalOptions,
  PlanOptions,
  StatusOptions,
  SyncOptions,
  UpOptions,
} from './options.js';
import { reportError } from './report-error.js';

/**
 * Commander wiring only. Each command's module is imported when that command runs, so that `--help`
 * and `validate` never load the AWS SDK.
 */

/** A whole number from 1 to `max`; beyond `max` is an error naming the limit and why, never a clamp. */
function wholeNumberUpTo(max: number, why: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
    if (n > max) throw new InvalidArgumentError(`expected a whole number ≤ ${max} (${why})`);
    return n;
  };
}

function waitSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of seconds > 0');
  if (n > MAX_WAIT_SECONDS) {
    throw new InvalidArgumentError(
      `expected a number of seconds ≤ ${MAX_WAIT_SECONDS} (${TIMER_LIMIT_REASON})`,
    );
  }
  return n;
}

const program = new Command('tekamolo')
  .description('Stand up, show, tear down and ship a secure web stack on AWS from one YAML file.')
  .version(VERSION, '--version', 'print the version')
  .option('-c, --config <file>', 'config file', './tekamolo.yaml')
  .option('--profile <name>', "AWS profile (default: the SDK's default credential chain)")
  .option('--json', 'machine-readable output on stdout; human text goes to stderr', false)
  .option('--trace <file>', 'append one JSON line per AWS API call made')
  .option('-y, --yes', 'no confirmation prompts', false)
  .option('-v, --verbose', 'more detail', false)
  .option('--no-color', 'no colours (NO_COLOR is honoured too)')
  .showHelpAfterError('(run with --help for usage)')
  // Every command's help lists the global options too: `tekamolo up --help` is where users look.
  .configureHelp({ showGlobalOptions: true })
  .exitOverride();

function globals(): GlobalOptions {
  const o = program.opts<GlobalOptions>();
  const color = o.color && !process.env.NO_COLOR && Boolean(process.stderr.isTTY);
  const g: GlobalOptions = { config: o.config, json: o.json, yes: o.yes, verbose: o.verbose, color };
  if (o.profile) g.profile = o.profile;
  if (o.trace) g.trace = o.trace;
  return g;
}

type Loader<O> = () => Promise<{ run: CommandRunner<O> }>;

function action<O>(load: Loader<O>) {
  return async (options: O) => {
    const g = globals();
    const tracer = new Tracer(g.trace);
    try {
      const { run } = await load();
      process.exitCode = await run(g, options, tracer);
    } catch (error) {
      process.exitCode = reportError(error, g, tracer.calls());
    }
  };
}

program
  .command('up')
  .alias('deploy')
  .summary('converge AWS to the config (idempotent; resumes after a crash)')
  .description(
    'Read the config, look at what exists in AWS, and create or update every resource of the stack in ' +
      'dependency order, independent ones in parallel. State is saved after every step, so an interrupted ' +
      'run is resumed by the next `up`, and nothing is created twice.\n\nExample:\n  tekamolo up -c tekamolo.yaml',
  )
  .option('--no-wait', 'do not wait for CloudFront to reach Deployed (or an instance refresh to finish)')
  .option(
    '--take-over <key>',
    "change a resource that is not proved this stack's (repeatable; --yes never takes over)",
    (key: string, keys: string[]) => [...keys, key],
    [] as string[],
  )
  .action(action<UpOptions>(() => import('./commands/up.js')));

program
  .command('plan')
  .summary('show what `up` would change, read-only')
  .description(
    'Compare the config with what exists in AWS and show, per resource, what `up` would create, update ' +
      '(field by field), replace or take over. Makes no changing call.\n\nExample:\n  tekamolo plan --exit-code',
  )
  .option('--exit-code', 'exit 3 when anything would change', false)
  .option('--destroy', 'show what `destroy` would delete instead', false)
  .action(action<PlanOptions>(() => import('./commands/plan.js')));

program
  .command('status')
  .summary('show every resource: present, in sync, healthy; read-only')
  .description(
    'One row per resource: does it exist, does it match the config, is it healthy and serving; then ' +
      'the URLs and what to do next when something is wrong. Makes no changing call.\n\n' +
      'Example:\n  tekamolo status --exit-code',
  )
  .option('--exit-code', 'exit 3 when anything is not ok', false)
  .addOption(
    new Option('--watch [seconds]', 'redraw every few seconds until Ctrl-C').argParser(waitSeconds).preset(5),
  )
  .action(action<StatusOptions>(() => import('./commands/status.js')));

program
  .command('destroy')
  .summary('delete everything tekamolo created for this stack, in reverse order')
  .description(
    'Delete every resource of this stack, in reverse dependency order: only what is proved ours by the ' +
      "stack's tag, the values tekamolo recorded, or a proved parent (the state file alone proves nothing), " +
      'plus leftovers that carry the tag. What is not proved ours, and the hosted zone, are never touched: ' +
      'destroy names them and exits 1. Asks first unless --yes; resumes where an interrupted destroy ' +
      'stopped.\n\nExample:\n  tekamolo destroy --yes',
  )
  .option('--no-wait', 'start disabling CloudFront and return; the next destroy picks it up')
  .option('--keep-bucket', 'keep the bucket and its content', false)
  .action(action<DestroyOptions>(() => import('./commands/destroy.js')));

program
  .command('sync-frontend')
  .summary('upload the built frontend to the bucket, invalidate what changed')
  .description(
    'Upload the built frontend by content: only files whose bytes differ from the bucket are uploaded, ' +
      'assets before HTML, with Content-Type and Cache-Control by rule; then one CloudFront invalidation ' +
      'of the changed paths that are not content-hashed.\n\nExample:\n  tekamolo sync-frontend --dir dist --delete',
  )
  .option('--dir <path>', 'folder to upload (default: frontend.dir of the config)')
  .option('--delete', 'delete objects that are not in the folder', false)
  .option('--dry-run', 'show what would be uploaded, deleted and invalidated; change nothing', false)
  .option('--no-invalidate', 'do not invalidate CloudFront')
  .option('--wait', 'wait for the invalidation to complete', false)
  .option(
    '--concurrency <n>',
    `parallel uploads (at most ${MAX_CONCURRENCY})`,
    wholeNumberUpTo(MAX_CONCURRENCY, 'each upload holds a file and a connection open'),
    16,
  )
  .action(action<SyncOptions>(() => import('./commands/sync-frontend.js')));

program
  .command('validate')
  .summary('check the config offline; no AWS call')
  .description(
    'Parse and check the config file without calling AWS: every error at once, each with its file, ' +
      'line and column, the field, what was found and what is expected.\n\nExample:\n  tekamolo validate -c tekamolo.yaml',
  )
  .action(action<Record<string, never>>(() => import('./commands/validate.js')));

/**
 * Unknown commands: a suggestion by edit distance, but never `destroy`. "deploy" is one letter-swap
 * family away from "destroy", and a typo must never be answered with the command that deletes the stack.
 */
program.on('command:*', ([name]: string[]) => {
  const names = program.commands.flatMap((c) => [c.name(), ...c.aliases()]).filter((n) => n !== 'destroy');
  const suggestion = closest(String(name), names);
  program.error(`error: unknown command '${name}'${suggestion ? `\n(Did you mean ${suggestion}?)` : ''}`, {
    code: 'commander.unknownCommand',
    exitCode: ExitCode.badInput,
  });
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const { code, exitCode } = error as { code?: string; exitCode?: number };
  if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') {
    // No command at all: commander prints the usage on stderr and ends with exit code 1; it is bad
    // usage, so exit 2 as for any other usage error. --help and `help` end with 0.
    process.exitCode = exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
  } else if (typeof code === 'string' && code.startsWith('commander.')) {
    process.exitCode = ExitCode.badInput;
  } else {
    process.exitCode = reportError(error, globals());
  }
}
