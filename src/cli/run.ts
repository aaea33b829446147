import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import type { RetryStrategyFactory } from '../aws/clients.js';
import { Tracer } from '../aws/trace.js';
import { MAX_CONCURRENCY, MAX_WAIT_SECONDS, TIMER_LIMIT_REASON } from '../config/limits.js';
import { closest } from '../config/suggest.js';
import { ExitCode } from '../errors.js';
import { VERSION } from '../version.js';
import type { Shell } from './commands/completion.js';
import type { StatePullOptions, StatePushOptions } from './commands/state.js';
import type { UnlockOptions } from './commands/unlock.js';
import type { CliIo, OutputStream } from './io.js';
import type {
  CommandRunner,
  ConnectOptions,
  DestroyOptions,
  GlobalOptions,
  InitOptions,
  PlanOptions,
  PolicyOptions,
  StatusOptions,
  SyncOptions,
  UpOptions,
} from './options.js';
import { colorFor } from './render/color-for.js';
import { reportError } from './report-error.js';
import { type RunEnvironment, withEnvironment } from './run-environment.js';

/**
 * The command line as a function: commander wiring, and the exit code of one run. Each command's
 * module is imported when that command runs, so that `--help` and `validate` never load the AWS SDK.
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

/**
 * Help wraps at the terminal's width; piped (`| less`, a test), at $COLUMNS when it is set, as `ls`
 * and `man` do, else at commander's 80.
 */
function helpWidth(stream: OutputStream): number {
  if (stream.isTTY && stream.columns) return stream.columns;
  const columns = Number(process.env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : 80;
}

/** What a program running tekamolo inside itself may set beyond the command line; the binary sets none. */
export interface EmbeddedRun {
  /** The AWS clients' retry strategy (aws/clients.ts); by default the SDK's adaptive mode. */
  retryStrategy?: RetryStrategyFactory;
}

/** One run's commander program (commander keeps the parsed options on it: never shared by two runs). */
function buildProgram(io: CliIo & EmbeddedRun, setExitCode: (code: number) => void) {
  const program = new Command('tekamolo')
    .description('Stand up, show, tear down and ship a secure web stack on AWS from one YAML file.')
    .version(VERSION, '--version', 'print the version')
    .option('-c, --config <file>', 'config file', './tekamolo.yaml')
    .option('--stage <name>', 'stage of the config to work on (default: TEKAMOLO_STAGE; none)')
    .option('--profile <name>', "AWS profile (default: the SDK's default credential chain)")
    .option('--json', 'machine-readable output on stdout; human text goes to stderr', false)
    .option('--trace <file>', 'append one JSON line per AWS API call made')
    .option('-y, --yes', 'no confirmation prompts', false)
    .option('-v, --verbose', 'more detail', false)
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .showHelpAfterError('(run with --help for usage)')
    // Every command's help lists the global options too: `tekamolo up --help` is where users look.
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      getOutHelpWidth: () => helpWidth(io.stdout),
      getErrHelpWidth: () => helpWidth(io.stderr),
      getOutHasColors: () => !process.env.NO_COLOR && colorFor(io.stdout),
      getErrHasColors: () => !process.env.NO_COLOR && colorFor(io.stderr),
    })
    .exitOverride();

  function globals(): GlobalOptions {
    const o = program.opts<GlobalOptions>();
    const color = o.color && !process.env.NO_COLOR && colorFor(io.stderr);
    const g: GlobalOptions = { config: o.config, json: o.json, yes: o.yes, verbose: o.verbose, color, io };
    const stage = o.stage ?? process.env.TEKAMOLO_STAGE;
    if (stage) g.stage = stage;
    if (o.profile) g.profile = o.profile;
    if (o.trace) g.trace = o.trace;
    if (io.retryStrategy) g.retryStrategy = io.retryStrategy;
    return g;
  }

  type Loader<O> = () => Promise<{ run: CommandRunner<O> }>;

  function action<O>(load: Loader<O>) {
    return async (options: O) => {
      const g = globals();
      const tracer = new Tracer(g.trace);
      try {
        const { run } = await load();
        setExitCode(await run(g, options, tracer));
      } catch (error) {
        setExitCode(reportError(error, g, tracer.calls()));
      } finally {
        tracer.close();
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
    .option('--skip-dns-check', "go on when the domain's registrar does not use the zone's name servers")
    .action(action<UpOptions>(() => import('./commands/up.js')));

  program
    .command('plan')
    .summary('show what `up` would change, read-only')
    .description(
      'Compare the config with what exists in AWS and show, per resource, what `up` would create, update ' +
        '(field by field), replace or take over, and what its checks before the first change would stop ' +
        'at; then the estimated monthly cost at rest. Makes no changing call.\n\nExample:\n' +
        '  tekamolo plan --exit-code',
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
      new Option('--watch [seconds]', 'redraw every few seconds until Ctrl-C')
        .argParser(waitSeconds)
        .preset(5),
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

  program
    .command('init')
    .summary('write a commented config for a domain; no AWS call')
    .description(
      'Write a new config file (./tekamolo.yaml, or -c <file>) with every field explained, from ' +
        'config.example.yaml, for the domain, region and stack given; on a terminal, what is not given ' +
        'is asked for. Never overwrites a file.\n\nExample:\n' +
        '  tekamolo init --domain example.org --region eu-central-1',
    )
    .option('--domain <name>', 'the apex domain the site is served on')
    .option('--region <region>', 'AWS region of the bucket, load balancer and instances')
    .option('--stack <name>', "stack name (default: the domain's first label)")
    .action(action<InitOptions>(() => import('./commands/init.js')));

  /** A command with one argument: commander hands it over before the options. */
  function actionWith<O>(name: keyof O & string, load: Loader<O>) {
    return (value: string, options: Omit<O, typeof name>) => action(load)({ ...options, [name]: value } as O);
  }

  program
    .command('unlock')
    .argument('<lock-id>', 'the id a refused run printed')
    .summary('remove the state lock a run left behind when it died (state in S3)')
    .description(
      'Remove the lock object beside the state in S3 that a dead run left behind, but only the lock with ' +
        'this id: a lock taken since by another run stays. Asks first unless --yes.\n\n' +
        'Example:\n  tekamolo unlock 3f0c2a4e-5d1b-4c8e-9a7f-2b6d8e1c4a90',
    )
    .action(actionWith<UnlockOptions>('lockId', () => import('./commands/unlock.js')));

  const state = program
    .command('state')
    .summary('show, move and list the versions of the state')
    .description(
      'The state: `pull` prints it, `push` moves a local state file into state.bucket, `history` lists its versions in S3.',
    );
  state
    .command('pull')
    .summary('print the current state (JSON) on stdout, secrets hidden')
    .option('--show-secrets', 'include secret values (to write the state back to a file)')
    .action(action<StatePullOptions>(async () => ({ run: (await import('./commands/state.js')).pull })));
  state
    .command('push')
    .argument('[file]', 'local state file (default: state.path of the config)')
    .summary('move a local state file into state.bucket; never overwrites a different state')
    .action(
      actionWith<StatePushOptions>('file', async () => ({ run: (await import('./commands/state.js')).push })),
    );
  state
    .command('history')
    .summary('list the versions of the state in S3: time, command, who')
    .action(
      action<Record<string, never>>(async () => ({ run: (await import('./commands/state.js')).history })),
    );

  program
    .command('outputs')
    .summary("print the stack's URLs, ids and addresses, each checked in AWS")
    .description(
      "Print the stack's account, stage, region, URLs, bucket, CloudFront distribution, load balancer " +
        'DNS name, Elastic IP and instance ids: from the state file, each confirmed by one read of AWS; ' +
        'then the estimated monthly cost at rest. Exits 1 when one is missing. Read-only.\n\nExample:\n' +
        '  aws s3 ls "s3://$(tekamolo outputs --json | jq -r .bucket)"',
    )
    .action(action<Record<string, never>>(() => import('./commands/outputs.js')));

  program
    .command('policy')
    .summary('print the least-privilege IAM policy this config needs')
    .description(
      'Print, as JSON ready for `aws iam create-policy`, the IAM policy that tekamolo needs for this ' +
        "config: every action it calls, limited to the stack's names and tag wherever IAM allows. Why a " +
        'statement cannot be narrowed further is said on stderr. Offline; no AWS call.\n\n' +
        'Example:\n  tekamolo policy > policy.json\n' +
        '  aws iam create-policy --policy-name tekamolo \\\n    --policy-document file://policy.json',
    )
    .addOption(
      new Option('--for <command>', 'only what a read-only command needs').choices(['plan', 'status']),
    )
    .action(action<PolicyOptions>(() => import('./commands/policy.js')));

  const connect = action<ConnectOptions>(() => import('./commands/connect.js'));
  program
    .command('connect')
    .argument('[instance]', 'instance id (default: the first InService instance of the group)')
    .summary('open a shell on an instance through Session Manager (no SSH key)')
    .description(
      "Start an AWS Systems Manager Session Manager shell on one InService instance of the stack's Auto " +
        'Scaling group, through the AWS CLI and its session-manager-plugin; without them, print the exact ' +
        'command (with --json, as a JSON document, not run). No SSH key and no open port are needed.\n\n' +
        'Example:\n  tekamolo connect',
    )
    .action((instance: string | undefined) => connect(instance ? { instance } : {}));

  program
    .command('completion')
    .addArgument(new Argument('<shell>', 'the shell to complete in').choices(['bash', 'zsh', 'fish']))
    .summary('print the shell completion script for bash, zsh or fish')
    .description(
      'Print a script that completes commands, options and their values in bash, zsh or fish. ' +
        'No AWS call.\n\nExamples:\n' +
        '  source <(tekamolo completion bash)            # in ~/.bashrc\n' +
        '  tekamolo completion zsh > ~/.zfunc/_tekamolo  # a folder in $fpath\n' +
        '  tekamolo completion fish > ~/.config/fish/completions/tekamolo.fish',
    )
    .action(async (shell: Shell) => {
      const { completionDocument, completionScript } = await import('./commands/completion.js');
      if (program.opts<{ json: boolean }>().json) {
        io.stdout.write(`${JSON.stringify(completionDocument(shell, program), null, 2)}\n`);
      } else {
        io.stdout.write(completionScript(shell, program));
      }
    });

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

  return { program, globals };
}

/**
 * Runs the command line on `args` (what follows `tekamolo`) and resolves to its exit code: no
 * process.exit, and nothing written but to `io`'s streams. With `env` and `cwd`, the run sees those
 * as the process's environment and folder, and both are put back when it ends; with `retryStrategy`,
 * its AWS clients retry by that strategy.
 */
export function runTekamolo(args: string[], io: CliIo & RunEnvironment & EmbeddedRun): Promise<number> {
  return withEnvironment(io, async () => {
    let exitCode: number = ExitCode.ok;
    const { program, globals } = buildProgram(io, (code) => {
      exitCode = code;
    });
    try {
      await program.parseAsync(args, { from: 'user' });
      return exitCode;
    } catch (error) {
      const { code, exitCode: commanderCode } = error as { code?: string; exitCode?: number };
      if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') {
        // No command at all: commander prints the usage on stderr and ends with exit code 1; it is bad
        // usage, so exit 2 as for any other usage error. --help and `help` end with 0.
        return commanderCode === 0 ? ExitCode.ok : ExitCode.badInput;
      }
      if (typeof code === 'string' && code.startsWith('commander.')) return ExitCode.badInput;
      return reportError(error, globals());
    }
  });
}
