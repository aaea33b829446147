#!/usr/bin/env node
// `status` against `plan` on the same full stack, in process, on the real engine and handlers (dist/),
// with a local moto_server underneath. `plan` walks the graph level by level (a resource is looked up
// once its dependencies are); `status` looks every resource up at once from the outputs saved in the
// state file. The emulator serves about one call at a time, so on it both take the same time; the
// difference shows only with real per-call latency, modelled here by wrapping the SDK's HTTP handler in
// this process only: a read that a reading shares with an identical one goes on the wire once, and
// costs the latency once.
//
// Prints, for the bare emulator and for 100 ms per call, the median wall time of N alternating runs
// of each, their calls, the ratio status/plan, and that status made no changing call.
//
//   npm run bench:status              N = 7
//   BENCH_RUNS=3 npm run bench:status
import {
  accountIdOf,
  dist,
  engineSession,
  requireBuildAndEmulator,
  sleep,
  startEmulator,
  wrapHttpHandle,
  writeStackConfig,
} from './bench-support.mjs';

requireBuildAndEmulator('status/read.js');

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
// Real AWS read calls take about 50–150 ms each from outside the region's data centres.
const LATENCY_MS = 100;

// ---- the latency model: one wrapper around Client.prototype.send, switched per setting ----
let latencyMs = 0;
wrapHttpHandle(async (handle, handler, args) => {
  if (latencyMs > 0) await sleep(latencyMs);
  return handle.apply(handler, args);
});

// ---- moto_server and the project ----
const { moto, work } = await startEmulator('bench-status');
const configFile = writeStackConfig(work, 0.05);

// ---- the real engine and handlers ----
const { loadConfig } = await import(dist('config/load.js'));
const { isReadOnlyOperation } = await import(dist('aws/trace.js'));
const { apply } = await import(dist('engine/apply.js'));
const { plan } = await import(dist('engine/plan.js'));
const { readStatus } = await import(dist('status/read.js'));
const { stack } = await import(dist('resources/index.js'));

const loaded = await loadConfig(configFile);
const accountId = await accountIdOf(loaded.config.region);
const session = (command, options) => engineSession({ loaded, stack, accountId, command, options });

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
