import { type ChildProcess, type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, inject } from 'vitest';

/**
 * The local AWS emulator for integration tests: one moto_server per vitest worker (useMoto) on a free
 * loopback port, or one of a test file's own (startMoto).
 * In CI (CI=true) a missing moto_server fails the run; elsewhere the tests skip with a loud message.
 */

export const MOTO_ACCOUNT = '123456789012';

/** The launcher that starts moto's server with its per-request recomputations done once. */
const LAUNCHER = fileURLToPath(new URL('./moto-server.py', import.meta.url));

/**
 * How this machine starts the emulator: the launcher (moto-server.py) where python3 has moto, else
 * moto_server as installed (moto in another Python), else undefined. Each probe is a `--help`, a
 * Python start-up of about a second, so the run asks once (moto-servers.ts).
 */
export function probeMotoCommand(): string[] | undefined {
  for (const command of [['python3', LAUNCHER], ['moto_server']]) {
    const [program = '', ...args] = command;
    if (spawnSync(program, [...args, '--help'], { stdio: 'ignore' }).status === 0) return command;
  }
  return undefined;
}

let probed: { command: string[] | undefined } | undefined;

/** How to start the emulator, as the run's global setup found; probed here without that setup. */
function motoCommand(): string[] | undefined {
  if (inject('motoServers')) return inject('motoCommand');
  probed ??= { command: probeMotoCommand() };
  return probed.command;
}

/** Whether moto_server is installed. */
export function motoInstalled(): boolean {
  return motoCommand() !== undefined;
}

/** Starts the emulator on a loopback port. */
function spawnMoto(port: number, options: SpawnOptions): ChildProcess {
  const [program = 'moto_server', ...args] = motoCommand() ?? [];
  return spawn(program, [...args, '-H', '127.0.0.1', '-p', String(port)], options);
}

/** Whether integration tests can run here; prints why not, or throws in CI. */
export function motoAvailable(): boolean {
  if (motoInstalled()) return true;
  if (process.env.CI === 'true') {
    throw new Error(
      'moto_server is not installed: CI must run the integration tests (pip install "moto[server]")',
    );
  }
  console.warn('\n*** moto_server not found: SKIPPING integration tests (pip install "moto[server]") ***\n');
  return false;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Moto {
  url: string;
  port: number;
  /** POST /moto-api/reset: everything back to empty. */
  reset(): Promise<void>;
  /** Hold a model in a pending state: e.g. ('cloudfront::distribution', 2). */
  setTransition(model: string, times: number): Promise<void>;
  /** Back to the model's own transition; a reset keeps a transition set before it. */
  unsetTransition(model: string): Promise<void>;
  stop(): Promise<void>;
  /** Environment for a child process (the CLI) that should talk to this emulator. */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
}

export interface StartOptions {
  /** Seconds certificates stay PENDING_VALIDATION (default 0: issued at the first describe). */
  acmValidationWait?: number;
  /**
   * AWS managed IAM policies (AmazonSSMManagedInstanceCore) exist only when the emulator loads them
   * all: seconds at start and after every reset, so only the instance role's own test file asks.
   */
  loadManagedPolicies?: boolean;
}

async function waitReady(url: string, exited: () => number | null, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const code = exited();
    if (code !== null) throw new Error(`moto_server exited with ${code}`);
    if (await answers(url)) return;
    // The server answers about a second after its start: a short poll loses little of it.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`moto_server did not answer on ${url} within ${timeoutMs} ms`);
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/moto-api/data.json`)).ok;
  } catch {
    return false; // not listening (yet, or any more)
  }
}

function serverEnv(options: StartOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MOTO_ACM_VALIDATION_WAIT: String(options.acmValidationWait ?? 0),
    MOTO_IAM_LOAD_MANAGED_POLICIES: String(options.loadManagedPolicies ?? false),
  };
  delete env.MOTO_ACCOUNT_ID;
  const amis = inject('motoAmis');
  if (amis) env.MOTO_AMIS_PATH = amis;
  return env;
}

async function post(url: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`moto ${path} failed: ${response.status}`);
}

/** A handle on a running emulator; points this process's SDK clients at it. */
function motoAt(port: number, stop: () => Promise<void>): Moto {
  const url = `http://127.0.0.1:${port}`;
  process.env.AWS_ENDPOINT_URL = url;
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.AWS_REGION = 'eu-central-1';
  delete process.env.AWS_PROFILE;
  return {
    url,
    port,
    reset: () => post(url, '/moto-api/reset'),
    setTransition: (model, times) =>
      post(url, '/moto-api/state-manager/set-transition', {
        model_name: model,
        transition: { progression: 'manual', times },
      }),
    unsetTransition: (model) => post(url, '/moto-api/state-manager/unset-transition', { model_name: model }),
    stop,
    env(extra = {}) {
      const childEnv: NodeJS.ProcessEnv = {
        ...process.env,
        AWS_ENDPOINT_URL: url,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_REGION: 'eu-central-1',
        NO_COLOR: '1',
        // The emulator's zones are not delegated in public DNS, and tests must not depend on the network.
        TEKAMOLO_SKIP_DNS_CHECK: '1',
        ...extra,
      };
      delete childEnv.AWS_PROFILE;
      return childEnv;
    },
  };
}

/** One emulator owned by the caller, stopped by its stop(). */
export async function startMoto(options: StartOptions = {}): Promise<Moto> {
  const port = await freePort();
  const child = spawnMoto(port, {
    env: serverEnv(options),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    await waitReady(`http://127.0.0.1:${port}`, () => child.exitCode, 20_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return motoAt(port, () => stopChild(child));
}

/** SIGKILL, as stopProcess: the file's emulator has nothing to keep, and SIGTERM takes 0.8–4 s. */
function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/**
 * The emulator of this vitest worker: started by the first test file the worker runs and reused by the
 * next ones (a cold start and the first call to each service cost seconds), stopped by the global
 * teardown (test/support/moto-servers.ts). Without that setup, one emulator for the file.
 */
async function workerMoto(): Promise<Moto> {
  const dir = inject('motoServers');
  if (!dir) return startMoto();
  const file = join(dir, `worker-${process.env.VITEST_POOL_ID ?? '0'}.json`);
  if (existsSync(file)) {
    const { port, pid } = JSON.parse(readFileSync(file, 'utf8')) as WorkerServer;
    if (await answers(`http://127.0.0.1:${port}`)) return motoAt(port, async () => {});
    // Not answering: stopped before the next one takes its place in the file, so none is left over.
    if (pid !== undefined) await stopProcess(pid);
  }
  const port = await freePort();
  const log = openSync(join(dir, `worker-${process.env.VITEST_POOL_ID ?? '0'}.log`), 'a');
  // Detached, with its output in a file: it outlives the test file's process.
  const child = spawnMoto(port, {
    env: serverEnv({}),
    stdio: ['ignore', log, log],
    detached: true,
  });
  child.unref();
  closeSync(log);
  try {
    await waitReady(`http://127.0.0.1:${port}`, () => child.exitCode, 20_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  writeFileSync(file, JSON.stringify({ port, pid: child.pid } satisfies WorkerServer));
  return motoAt(port, async () => {});
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // Killed after its parent (the worker) ended, it stays a zombie until init reaps it, which takes up to
  // a second here: a zombie holds no port and no memory, so it counts as gone where /proc tells.
  if (!existsSync('/proc/self/stat')) return true;
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * SIGKILL, and wait until the process is gone: a worker's emulator keeps only what the tests put in it,
 * which nobody needs once they are done, and SIGTERM costs 0.8–4 s at a run's end (SIGKILL about 10 ms).
 */
export async function stopProcess(pid: number): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, 'SIGKILL');
  for (let waited = 0; waited < 5000 && alive(pid); waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface WorkerServer {
  port: number;
  pid: number | undefined;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Folder where each worker notes its emulator (port, process id); see test/support/moto-servers.ts. */
    motoServers: string;
    /** How to start the emulator (probeMotoCommand), probed once for the whole run; none if not installed. */
    motoCommand?: string[];
    /** The MOTO_AMIS_PATH file of the run's emulators (test/support/moto-amis.ts), if it was written. */
    motoAmis?: string;
  }
}

export interface UseMotoOptions extends StartOptions {
  /** 'each' (the default): an empty emulator before every test; 'file': the file resets when it needs. */
  reset?: 'each' | 'file';
}

/**
 * The emulator for the test file's (or describe block's) tests, with its hooks registered: ready
 * and empty before the first test, empty again before each test unless `reset: 'file'`. Call it
 * inside `describe.skipIf(!motoAvailable())`. With the default options the worker's emulator is
 * reused; other options get an emulator of their own.
 */
export function useMoto(options: UseMotoOptions = {}): Moto {
  const { reset = 'each', ...start } = options;
  const shared = !start.acmValidationWait && !start.loadManagedPolicies;
  let current: Moto | undefined;
  const held = new Set<string>();
  const moto = (): Moto => {
    if (!current) throw new Error('useMoto: the emulator starts in beforeAll; use it in hooks and tests');
    return current;
  };
  beforeAll(async () => {
    current = shared ? await workerMoto() : await startMoto(start);
    if (shared) await current.reset();
  });
  afterAll(async () => {
    for (const model of held) await current?.unsetTransition(model);
    await current?.stop();
  });
  if (reset === 'each') beforeEach(() => moto().reset());
  return {
    get url() {
      return moto().url;
    },
    get port() {
      return moto().port;
    },
    reset: () => moto().reset(),
    setTransition(model, times) {
      held.add(model);
      return moto().setTransition(model, times);
    },
    unsetTransition: (model) => moto().unsetTransition(model),
    stop: () => moto().stop(),
    env: (extra) => moto().env(extra),
  };
}

/**
 * An access key of an IAM user created in `account`: the emulator maps requests signed with it to that
 * account (an unknown key maps to MOTO_ACCOUNT). IAM is called over its query API, as the project has
 * no IAM client; the emulator does not check the signature, only the service named in it.
 */
export async function accessKeyInAccount(
  url: string,
  account: string,
): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const user = `e2e-${account}-${Date.now()}`;
  const iam = async (action: string) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization:
          'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
        'x-moto-account-id': account,
      },
      body: new URLSearchParams({ Action: action, UserName: user, Version: '2010-05-08' }).toString(),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`IAM ${action} failed: ${response.status} ${text}`);
    return text;
  };
  await iam('CreateUser');
  const key = await iam('CreateAccessKey');
  const field = (name: string) => {
    const value = new RegExp(`<${name}>([^<]+)</${name}>`).exec(key)?.[1];
    if (!value) throw new Error(`IAM CreateAccessKey returned no ${name}: ${key}`);
    return value;
  };
  return { accessKeyId: field('AccessKeyId'), secretAccessKey: field('SecretAccessKey') };
}
