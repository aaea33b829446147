#!/usr/bin/env node
// `status` against `plan` on the same full stack, in process, on the real engine and handlers (dist/),
// with a local moto_server underneath. `plan` walks the graph level by level (a resource is looked up
// once its dependencies are); `status` looks every resource up at once from the outputs saved in the
// state file. The emulator serves about one call at a time, so on it both take the same time; the
// difference shows only with real per-call latency, modelled here by wrapping the SDK's
// Client.prototype.send in this process only (as scripts/bench-up.mjs does).
//
// Prints, for the bare emulator and for 100 ms per call, the median wall time of N alternating runs
// of each, their calls, the ratio status/plan, and that status made no changing call.
//
//   npm run bench:status              N = 7
//   BENCH_RUNS=3 npm run bench:status
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (path) => new URL(`../dist/${path}`, import.meta.url).href;
if (!existsSync(join(root, 'dist', 'status', 'read.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
if (spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status !== 0) {
  console.error("moto_server is needed for this benchmark: pip install 'moto[server]'");
  process.exit(2);
}

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
// Real AWS read calls take about 50–150 ms each from outside the region's data centres.
const LATENCY_MS = 100;
const sleep = (millis) => new Promise((r) => setTimeout(r, millis));
const now = () => Date.now();

// ---- the latency model: one wrapper around Client.prototype.send, switched per setting ----
let latencyMs = 0;
const require = createRequire(join(root, 'package.json'));
const clientModules = [require('@smithy/core/client')];
try {
  const esm = await import('@smithy/core/client');
  if (esm.Client !== clientModules[0].Client) clientModules.push(esm);
} catch {
  // only the CommonJS build is installed
}
for (const { Client } of clientModules) {
  const send = Client.prototype.send;
  Client.prototype.send = async function delayedSend(...args) {
    if (latencyMs > 0) await sleep(latencyMs);
    return send.apply(this, args);
  };
}

// ---- moto_server and the project ----
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

const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const motoEnv = { ...process.env, MOTO_ACM_VALIDATION_WAIT: '0' };
delete motoEnv.MOTO_ACCOUNT_ID;
const moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { env: motoEnv, stdio: 'ignore' });
const work = mkdtempSync(join(tmpdir(), 'tekamolo-bench-status-'));
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
    'waits:',
    '  pollSeconds: 0.05',
    '',
  ].join('\n'),
);

// ---- the real engine and handlers ----
const { loadConfig } = await import(dist('config/load.js'));
const { Aws } = await import(dist('aws/clients.js'));
const { Tracer, isReadOnlyOperation } = await import(dist('aws/trace.js'));
const { StateStore, statePath } = await import(dist('state/store.js'));
const { apply } = await import(dist('engine/apply.js'));
const { plan } = await import(dist('engine/plan.js'));
const { readStatus } = await import(dist('status/read.js'));
const { stack } = await import(dist('resources/index.js'));

const loaded = await loadConfig(configFile);
const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
const sts = new STSClient({ region: loaded.config.region });
const accountId = (await sts.send(new GetCallerIdentityCommand({}))).Account;
sts.destroy();

/** The engine's environment as the CLI's session builds it, with a fresh Aws and Tracer. */
async function session(command, options) {
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
    sink: () => {},
    signal: new AbortController().signal,
    confirm: async () => true,
  };
  const close = async () => {
    await store.close();
    aws.destroy();
  };
  return { env, tracer, close };
}

const up = await session('up', { wait: true });
try {
  const result = await apply(up.env);
  if (!result.ok) throw new Error('up of the full stack failed');
} finally {
  await up.close();
}

// What `tekamolo plan` and `tekamolo status` call, as their commands set up the engine.
const measured = {
  plan: {
    options: { wait: true, yes: false },
    run: async (env) => {
      const result = await plan(env);
      if (result.summary.errors > 0) throw new Error('plan found errors');
    },
  },
  status: {
    options: { wait: false, yes: false },
    run: async (env, tracer) => {
      const report = await readStatus(env, { tracer });
      if (!report.summary.ok) throw new Error('status found the stack not ok');
    },
  },
};

async function once(name) {
  const { options, run } = measured[name];
  const s = await session(name, options);
  try {
    const started = performance.now();
    await run(s.env, s.tracer);
    const wallMs = performance.now() - started;
    const changing = s.tracer.records.filter((r) => !isReadOnlyOperation(r.operation)).length;
    return { wallMs, calls: s.tracer.records.length, changing };
  } finally {
    await s.close();
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// One unmeasured run of each first: the emulator's first read of each kind is slower than the rest.
await once('plan');
await once('status');

const rows = [];
for (const [label, latency] of [
  ['bare emulator', 0],
  [`${LATENCY_MS} ms per call`, LATENCY_MS],
]) {
  latencyMs = latency;
  const runs = { plan: [], status: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const name of i % 2 ? ['status', 'plan'] : ['plan', 'status']) runs[name].push(await once(name));
  }
  const sum = (name) => ({
    ms: median(runs[name].map((r) => r.wallMs)),
    calls: median(runs[name].map((r) => r.calls)),
    changing: Math.max(...runs[name].map((r) => r.changing)),
  });
  rows.push({ label, plan: sum('plan'), status: sum('status') });
}

console.log(
  `status against plan, full stack (${stack.length} resource kinds), median of ${RUNS} alternating runs each; ` +
    `real AWS read calls take about 50–150 ms, modelled as ${LATENCY_MS} ms`,
);
const pad = (text, width) => String(text).padStart(width);
console.log(
  `${'setting'.padEnd(18)}${pad('plan', 10)}${pad('calls', 7)}${pad('status', 10)}${pad('calls', 7)}${pad('status/plan', 13)}`,
);
for (const { label, plan: p, status: s } of rows) {
  console.log(
    `${label.padEnd(18)}${pad(`${p.ms.toFixed(0)} ms`, 10)}${pad(p.calls, 7)}${pad(`${s.ms.toFixed(0)} ms`, 10)}` +
      `${pad(s.calls, 7)}${pad(`${(s.ms / p.ms).toFixed(2)}×`, 13)}`,
  );
}
const changing = Math.max(...rows.map((r) => r.status.changing));
console.log(`status changing calls: ${changing} (target 0) ${changing === 0 ? 'ok' : 'MISSED'}`);
if (moto.exitCode === null) moto.kill('SIGTERM');
