import { Aws } from '../aws/clients.js';
import { preflight } from '../aws/preflight.js';
import type { Tracer } from '../aws/trace.js';
import { formatIssue } from '../config/issues.js';
import { type LoadedConfig, loadConfig } from '../config/load.js';
import type { AnyResource, RunOptions } from '../engine/contract.js';
import type { EngineEnv } from '../engine/env.js';
import { type EventSink, stampEngine } from '../engine/events.js';
import type { RunResult } from '../engine/run-summary.js';
import type { Scope } from '../engine/scope.js';
import { ExitCode, InterruptedError, UserError } from '../errors.js';
import type { ConfirmRequest } from '../output/message.js';
import { taggedKinds } from '../resources/tagged-kinds.js';
import { checkAccountPin } from '../state/account-pin.js';
import { StateStore, statePath } from '../state/store.js';
import { openRemoteState, remotePlace } from './open-state.js';
import type { GlobalOptions } from './options.js';
import { pickRenderer, type Renderer, type RendererOptions } from './render/index.js';
import { canPrompt, confirmOnTerminal } from './render/prompt.js';

/**
 * Everything a command that talks to AWS needs, opened in one place: the config, the AWS clients (with
 * the --trace tracer and --profile), the account from the preflight, the state (locked when the
 * command changes things), the renderer for events, and the Ctrl-C handling.
 */
export interface Session {
  loaded: LoadedConfig;
  aws: Aws;
  accountId: string;
  /** Account, region and profile of this run. */
  scope: Scope;
  store: StateStore;
  /** Where events go: the renderer picked for --json / terminal / pipe. */
  sink: EventSink;
  /** Aborted by the first Ctrl-C: in-flight calls finish, no new step starts. */
  signal: AbortSignal;
  tracer: Tracer;
  globals: GlobalOptions;
  renderer: Renderer;
  /** `--yes`, else a y/N question on a terminal, else the request's default. */
  confirm(request: ConfirmRequest): Promise<boolean>;
  /** Save pending state, release the lock, stop the renderer and the AWS clients. Safe to call twice. */
  close(): Promise<void>;
}

export interface SessionOptions {
  /** The command's name, written into the lock file. */
  command: string;
  /** Take the state lock (commands that change AWS or the state). */
  lock: boolean;
  /** The command only reads (plan, status): what the first Ctrl-C says, as there is nothing to save. */
  readOnly?: boolean;
  /**
   * The command changes AWS but writes no state (sync-frontend): what the first Ctrl-C says, as calls
   * in flight finish but nothing is saved, and running the command again does the rest.
   */
  stateless?: boolean;
  /** Record the account in the state when none is recorded yet (`up`). */
  pinAccount?: boolean;
  /** Create a missing state bucket (state.bucket) after confirmation (`up`). */
  createStateBucket?: boolean;
  /** Records the command's AWS calls. */
  tracer: Tracer;
  /** What the human view draws (sync-frontend: a transfer). */
  view?: RendererOptions['view'];
}

/**
 * What the first Ctrl-C (or SIGTERM) prints: a read-only command has no step to finish and no state to
 * save; a stateless one has calls to finish but no state to save.
 */
export function stoppingNote(opts: Pick<SessionOptions, 'readOnly' | 'stateless'>): string {
  if (opts.readOnly)
    return 'stopping: reads in flight finish; nothing was changed (Ctrl-C again to quit now)';
  if (opts.stateless) {
    return 'stopping: calls in flight finish, no new one starts; run the command again to finish (Ctrl-C again to quit now)';
  }
  return 'stopping: steps in flight finish and the state is saved (Ctrl-C again to quit now)';
}

/** First Ctrl-C (or SIGTERM): abort `signal` so the run stops at the next step and saves; second: exit at once. */
function installInterrupt(
  controller: AbortController,
  renderer: Renderer,
  opts: SessionOptions,
  store: StateStore,
): () => void {
  const { command } = opts;
  let count = 0;
  const onSigint = () => {
    count++;
    if (count === 1) {
      renderer.note(stoppingNote(opts));
      controller.abort();
      return;
    }
    renderer.close();
    // Each state write is atomic, so the file is whole; the lock would only make the next run warn.
    store.releaseLockSync();
    const again =
      command === 'up' || command === 'destroy' ? `: run \`tekamolo ${command}\` again to finish` : '';
    renderer.note(`interrupted${again}`);
    process.exit(ExitCode.interrupted);
  };
  process.on('SIGINT', onSigint);
  // A CI runner cancelling a job sends SIGTERM: stop the same way, saving the state.
  process.on('SIGTERM', onSigint);
  return () => {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  };
}

export async function openSession(globals: GlobalOptions, opts: SessionOptions): Promise<Session> {
  const loaded = await loadConfig(globals.config, globals.stage);
  // The SDK warns on every run under Node < 22 about its releases of 2027; tekamolo pins its SDK
  // version in the lock file, so on the Node versions package.json supports this is noise in the
  // output (and in --json runs). An explicit setting by the user wins.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { tracer } = opts;
  tracer.open();
  const awsOptions: ConstructorParameters<typeof Aws>[0] = { region: loaded.config.region, tracer };
  if (globals.profile) awsOptions.profile = globals.profile;
  if (globals.retryStrategy) awsOptions.retryStrategy = globals.retryStrategy;
  const aws = new Aws(awsOptions);
  const renderer = pickRenderer(opts.view ? { ...globals, view: opts.view } : globals, globals.io);
  const controller = new AbortController();
  let store: StateStore | undefined;
  let uninstall = () => {};
  let questions: Promise<unknown> = Promise.resolve();
  const confirm = (request: ConfirmRequest): Promise<boolean> => {
    if (globals.yes) return Promise.resolve(true);
    if (!canPrompt(globals.io)) return Promise.resolve(request.default);
    // One question at a time: several resources may ask at once.
    const answer = questions.then(() =>
      renderer.suspend(() => confirmOnTerminal(globals.io, request.question, controller.signal)),
    );
    questions = answer.catch(() => false);
    return answer;
  };
  const warn = (message: string) => renderer.sink(stampEngine({ code: 'warning', message }));
  try {
    const openOptions: Parameters<typeof StateStore.open>[0] = {
      path: statePath(loaded.dir, loaded.config.state.path),
      stack: loaded.config.stack,
    };
    if (opts.lock) openOptions.lock = { command: opts.command, onWarning: warn };
    const remote = remotePlace(loaded, aws);
    // A local state file and its lock first: a local fault there is bad input, found before any AWS call.
    if (!remote) store = await StateStore.open(openOptions);
    const { accountId, partition } = await preflight(aws, globals.profile);
    if (remote) {
      const opened = await openRemoteState(remote, {
        accountId,
        command: opts.command,
        createBucket: opts.createStateBucket ?? false,
        confirm: (question) => confirm({ code: 'create-state-bucket', question, default: false }),
        warn,
      });
      if (opened.bucket === 'missing' && opts.lock) {
        throw new UserError(
          `the state bucket ${remote.bucket} does not exist, so there is no state of this stack; nothing was changed`,
          '`tekamolo up` creates it; or fix state.bucket in the config',
        );
      }
      store = await StateStore.open({ ...openOptions, backend: opened.backend });
    }
    if (!store) throw new Error('the state was opened above, from a file or from S3');
    const profile = globals.profile ?? process.env.AWS_PROFILE ?? null;
    checkAccountPin(store.location, store.account, { id: accountId, partition }, profile);
    if (opts.pinAccount && !store.account) store.pinAccount({ id: accountId, partition });
    uninstall = installInterrupt(controller, renderer, opts, store);
    const opened = store;
    let closed = false;
    return {
      loaded,
      aws,
      accountId,
      scope: { account: accountId, partition, region: loaded.config.region, profile },
      store: opened,
      sink: renderer.sink,
      signal: controller.signal,
      tracer,
      globals,
      renderer,
      confirm,
      async close() {
        if (closed) return;
        closed = true;
        uninstall();
        renderer.close();
        try {
          await opened.close();
        } finally {
          aws.destroy();
        }
      },
    };
  } catch (error) {
    uninstall();
    renderer.close();
    await store?.close();
    aws.destroy();
    throw error;
  }
}

/** The config's warnings (legal but dangerous settings), each as `file:line:col  path: message`. */
export function configWarnings(session: Session): string[] {
  return session.loaded.warnings.map(formatIssue);
}

/** The engine's view of a session: the stack's resources and this command's run options. */
export function engineEnv(session: Session, resources: AnyResource[], options: RunOptions): EngineEnv {
  return {
    resources,
    config: session.loaded.config,
    configDir: session.loaded.dir,
    names: session.loaded.names,
    accountId: session.accountId,
    scope: session.scope,
    aws: session.aws,
    store: session.store,
    options,
    sink: session.sink,
    signal: session.signal,
    confirm: (request) => session.confirm(request),
    taggedKinds,
  };
}

/**
 * Exit code of an `up` or `destroy`: 130 (thrown) when interrupted; 2 when every failure was bad
 * input and nothing was changed; 1 for any other failure.
 */
export function runExitCode(result: RunResult, command: 'up' | 'destroy'): number {
  if (result.interrupted) {
    throw new InterruptedError(
      `interrupted: the state was saved; run \`tekamolo ${command}\` again to ${command === 'up' ? 'resume' : 'finish'}`,
    );
  }
  if (result.ok) return ExitCode.ok;
  const badInput = result.failures.every((f) => f.failure.userError) && result.changingCalls === 0;
  return badInput ? ExitCode.badInput : ExitCode.failure;
}
