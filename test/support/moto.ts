import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * The local AWS emulator for integration tests: one moto_server per test file on a free loopback port.
 * In CI (CI=true) a missing moto_server fails the run; elsewhere the tests skip with a loud message.
 */

export const MOTO_ACCOUNT = '123456789012';

export function motoInstalled(): boolean {
  return spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;
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
  stop(): Promise<void>;
  /** Environment for a child process (the CLI) that should talk to this emulator. */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
}

export interface StartOptions {
  /** Seconds certificates stay PENDING_VALIDATION (default 0: issued at the first describe). */
  acmValidationWait?: number;
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/moto-api/data.json`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`moto_server did not answer on ${url} within ${timeoutMs} ms`);
}

export async function startMoto(options: StartOptions = {}): Promise<Moto> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MOTO_ACM_VALIDATION_WAIT: String(options.acmValidationWait ?? 0),
  };
  delete env.MOTO_ACCOUNT_ID;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    await waitReady(url, child, 20_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  const setEnv = () => {
    process.env.AWS_ENDPOINT_URL = url;
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
    process.env.AWS_REGION = 'eu-central-1';
    delete process.env.AWS_PROFILE;
  };
  setEnv();
  return {
    url,
    port,
    async reset() {
      const response = await fetch(`${url}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed: ${response.status}`);
    },
    async setTransition(model, times) {
      const response = await fetch(`${url}/moto-api/state-manager/set-transition`, {
        method: 'POST',
        body: JSON.stringify({ model_name: model, transition: { progression: 'manual', times } }),
      });
      if (!response.ok) throw new Error(`moto set-transition failed: ${response.status}`);
    },
    stop() {
      return new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      });
    },
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
