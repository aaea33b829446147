// What the in-process benchmarks (bench-up, bench-status) share: the checks before they start, a local
// moto_server with the AWS environment pointing at it, the hosted zone and config a stack needs, one
// wrapper around the SDK's Client.prototype.send or its HTTP handler, and the engine's environment as
// the CLI builds it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const dist = (path) => new URL(`../dist/${path}`, import.meta.url).href;
export const require = createRequire(join(root, 'package.json'));
export const sleep = (millis) => new Promise((r) => setTimeout(r, millis));
export const now = () => Date.now();

/** Exits 2 unless the build (`builtFile` under dist/) and moto_server are there. */
export function requireBuildAndEmulator(builtFile) {
  if (!existsSync(join(root, 'dist', builtFile))) {
    console.error('dist/ is missing: run `npm run build` first');
    process.exit(2);
  }
  if (spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status !== 0) {
    console.error("moto_server is needed for this benchmark: pip install 'moto[server]'");
    process.exit(2);
  }
}

/**
 * Wraps every SDK client's send in this process only: `around(send, client, args)` runs instead.
 * The clients (CommonJS, as Node loads them from dist/) share one Client class; an ES module build of
 * it, where installed, is wrapped too.
 */
export async function wrapClientSend(around) {
  const clientModules = [require('@smithy/core/client')];
  try {
    const esm = await import('@smithy/core/client');
    if (esm.Client !== clientModules[0].Client) clientModules.push(esm);
  } catch {
    // only the CommonJS build is installed
  }
  for (const { Client } of clientModules) {
    const send = Client.prototype.send;
    Client.prototype.send = function wrappedSend(...args) {
      return around(send, this, args);
    };
  }
}

/**
 * Wraps the SDK's HTTP handler in this process only: `around(handle, handler, args)` runs instead of
 * every request that goes on the wire (each attempt), not for a call answered without one.
 */
export function wrapHttpHandle(around) {
  const { NodeHttpHandler } = require('@smithy/node-http-handler');
  const handle = NodeHttpHandler.prototype.handle;
  NodeHttpHandler.prototype.handle = function wrappedHandle(...args) {
    return around(handle, this, args);
  };
}

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/**
 * Starts moto_server on a free port, points this process's AWS environment at it, waits until it
 * answers, creates the hosted zone of example.com and a work folder; both go when the process exits.
 */
export async function startEmulator(name) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const motoEnv = { ...process.env, MOTO_ACM_VALIDATION_WAIT: '0' };
  delete motoEnv.MOTO_ACCOUNT_ID;
  const moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    env: motoEnv,
    stdio: 'ignore',
  });
  const work = mkdtempSync(join(tmpdir(), `tekamolo-${name}-`));
  process.on('exit', () => {
    if (moto.exitCode === null) moto.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  });
  process.on('SIGINT', () => process.exit(130));

  Object.assign(process.env, {
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_REGION: 'eu-central-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // The emulator's hosted zones are not delegated in public DNS.
    TEKAMOLO_SKIP_DNS_CHECK: '1',
  });
  delete process.env.AWS_PROFILE;

  const deadline = now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/moto-api/data.json`)).ok) break;
    } catch {
      // not listening yet
    }
    if (now() > deadline || moto.exitCode !== null) throw new Error('moto_server did not start');
    await sleep(100);
  }

  const { Route53Client, CreateHostedZoneCommand } = require('@aws-sdk/client-route-53');
  const route53 = new Route53Client({ region: 'us-east-1' });
  await route53.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: `bench-${now()}` }));
  route53.destroy();
  return { moto, work };
}

/** The stack's config in `work`: the whole architecture, with a poll interval for this bench. */
export function writeStackConfig(work, pollSeconds) {
  const configFile = join(work, 'tekamolo.yaml');
  writeFileSync(
    configFile,
    [
      'stack: bench',
      'region: eu-central-1',
      'domain: example.com',
      'frontend:',
      // The emulator has no CloudFront Functions API.
      '  routing: none',
      `  bucket: bench-site-${now()}`,
      'backend:',
      '  sshCidrs: [203.0.113.10/32]',
      // The instance role needs an emulator that loads every AWS managed policy (seconds on its first
      // IAM call), which would be timed here as if it were tekamolo's; on AWS the role is off the
      // critical path. test/integration/e2e-instance-role.test.ts covers it.
      '  sessionManager: false',
      'waits:',
      `  pollSeconds: ${pollSeconds}`,
      '',
    ].join('\n'),
  );
  return configFile;
}

/** The account the emulator answers with, as the CLI's preflight reads it. */
export async function accountIdOf(region) {
  const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
  const sts = new STSClient({ region });
  try {
    return (await sts.send(new GetCallerIdentityCommand({}))).Account;
  } finally {
    sts.destroy();
  }
}

/**
 * The engine's environment as the CLI's session builds it, with a fresh Aws and Tracer. `up` takes the
 * state lock; the read-only commands do not.
 */
export async function engineSession({ loaded, stack, accountId, command, options, sink, concurrency }) {
  const { Aws } = await import(dist('aws/clients.js'));
  const { Tracer } = await import(dist('aws/trace.js'));
  const { StateStore, statePath } = await import(dist('state/store.js'));
  const tracer = new Tracer();
  const aws = new Aws({ region: loaded.config.region, tracer });
  const store = await StateStore.open({
    path: statePath(loaded.dir, loaded.config.state.path),
    stack: loaded.config.stack,
    ...(command === 'up' ? { lock: { command } } : {}),
  });
  const env = {
    resources: stack,
    config: loaded.config,
    configDir: loaded.dir,
    names: loaded.names,
    accountId,
    aws,
    store,
    options: { yes: true, readOnly: command !== 'up', keepBucket: false, ...options },
    sink: sink ?? (() => {}),
    ...(concurrency ? { concurrency } : {}),
    signal: new AbortController().signal,
    confirm: async () => true,
  };
  const close = async () => {
    await store.close();
    aws.destroy();
  };
  return { env, tracer, close };
}
