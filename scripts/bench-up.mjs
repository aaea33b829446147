#!/usr/bin/env node
// `up` against a model of real AWS timing, in process, on the real handlers and engine (dist/), with a
// local moto_server underneath. The emulator answers at once and makes certificates, load balancers and
// distributions ready at the first read; real AWS takes minutes. The model is imposed from outside the
// product: the SDK's Client.prototype.send is wrapped in this process only, delaying every call and
// rewriting the status fields of DescribeCertificate, DescribeLoadBalancers and GetDistribution until
// the modelled time has passed.
//
// Prints `up` wall time beside the critical path of the graph (the longest chain of waits, from the
// graph and the model) and their ratio (target ≤ 1.1×), then runs a no-op `up` and prints its calls:
// reads per resource (target ≤ 2) and writes (target 0).
//
//   npm run bench:up                   model scaled ×1/10 (about 30 s)
//   BENCH_SCALE=0.05 npm run bench:up  faster, less precise
import {
  accountIdOf,
  dist,
  engineSession,
  now,
  require,
  requireBuildAndEmulator,
  sleep,
  startEmulator,
  wrapClientSend,
  writeStackConfig,
} from './bench-support.mjs';

requireBuildAndEmulator('engine/apply.js');

// ---- the latency model of real AWS, in seconds, and its scale for this run ----
const SCALE = Number(process.env.BENCH_SCALE ?? 0.1);
const MODEL = {
  callSeconds: 0.1,
  certificateIssuedSeconds: 50,
  loadBalancerActiveSeconds: 160,
  distributionDeployedSeconds: 240,
  // tekamolo's default poll interval (waits.pollSeconds), scaled like everything else.
  pollSeconds: 10,
};
const ms = (seconds) => seconds * SCALE * 1000;

// ---- the model imposed on the SDK: one wrapper around Client.prototype.send ----
const readyAt = { certificate: new Map(), loadBalancer: new Map(), distribution: new Map() };

function impose(operation, output) {
  const t = now();
  switch (operation) {
    case 'RequestCertificate': {
      const arn = output.CertificateArn;
      // The same idempotency token returns the same ARN: the first request starts the clock.
      if (arn && !readyAt.certificate.has(arn)) {
        readyAt.certificate.set(arn, t + ms(MODEL.certificateIssuedSeconds));
      }
      break;
    }
    case 'DescribeCertificate': {
      const c = output.Certificate;
      if (c && t < (readyAt.certificate.get(c.CertificateArn) ?? 0)) c.Status = 'PENDING_VALIDATION';
      break;
    }
    case 'CreateLoadBalancer':
      for (const lb of output.LoadBalancers ?? []) {
        if (!readyAt.loadBalancer.has(lb.LoadBalancerArn)) {
          readyAt.loadBalancer.set(lb.LoadBalancerArn, t + ms(MODEL.loadBalancerActiveSeconds));
        }
        if (lb.State) lb.State = { Code: 'provisioning' };
      }
      break;
    case 'DescribeLoadBalancers':
      for (const lb of output.LoadBalancers ?? []) {
        if (t < (readyAt.loadBalancer.get(lb.LoadBalancerArn) ?? 0)) lb.State = { Code: 'provisioning' };
      }
      break;
    case 'CreateDistribution':
    case 'CreateDistributionWithTags':
    case 'UpdateDistribution': {
      const d = output.Distribution;
      if (d?.Id) {
        readyAt.distribution.set(d.Id, t + ms(MODEL.distributionDeployedSeconds));
        d.Status = 'InProgress';
      }
      break;
    }
    case 'GetDistribution': {
      const d = output.Distribution;
      if (d && t < (readyAt.distribution.get(d.Id) ?? 0)) d.Status = 'InProgress';
      break;
    }
  }
}

await wrapClientSend(async (send, client, [command, ...rest]) => {
  await sleep(ms(MODEL.callSeconds));
  const output = await send.call(client, command, ...rest);
  impose(command.constructor.name.replace(/Command$/, ''), output);
  return output;
});

// ---- the critical path: the longest chain of waits through the graph, under the model ----
// A wait that holds back dependents (readyBeforeDependents: validation) is on the chain of everything
// after it; any other wait (ALB active, distribution Deployed) only ends its own branch.
const WAIT_OF = {
  validation: MODEL.certificateIssuedSeconds,
  loadBalancer: MODEL.loadBalancerActiveSeconds,
  distribution: MODEL.distributionDeployedSeconds,
};

function criticalPath(graph) {
  const ready = new Map();
  const finish = new Map();
  const via = new Map();
  for (const key of graph.order) {
    const deps = graph.deps.get(key) ?? [];
    let start = 0;
    let from;
    for (const d of deps) {
      if ((ready.get(d) ?? 0) >= start && ready.get(d) > 0) {
        start = ready.get(d);
        from = d;
      }
    }
    const wait = WAIT_OF[key] ?? 0;
    const blocks = graph.resources.get(key)?.readyBeforeDependents === true;
    ready.set(key, start + (blocks ? wait : 0));
    finish.set(key, start + wait);
    via.set(key, from);
  }
  let last = graph.order[0];
  for (const key of graph.order) if (finish.get(key) > finish.get(last)) last = key;
  const chain = [];
  for (let key = last; key; key = via.get(key)) chain.unshift(key);
  // The read-only lookups (hosted zone, network) wait for nothing: left out of the printed chain.
  const named = chain
    .filter((key) => !graph.resources.get(key)?.readOnly)
    .map((key) => (WAIT_OF[key] ? `${key} (${WAIT_OF[key]} s)` : key));
  return { seconds: finish.get(last), chain: named };
}

// ---- moto_server and the project ----
const { moto, work } = await startEmulator('bench-up');

// The emulator's first call to each service is slow (SSM ~1.6 s, EC2 ~0.7 s): that is moto starting,
// not AWS, so every service the stack uses is called once before anything is measured.
{
  const warm = [
    ['@aws-sdk/client-ssm', 'SSMClient', 'DescribeParametersCommand', {}],
    ['@aws-sdk/client-ec2', 'EC2Client', 'DescribeVpcsCommand', {}],
    [
      '@aws-sdk/client-elastic-load-balancing-v2',
      'ElasticLoadBalancingV2Client',
      'DescribeLoadBalancersCommand',
      {},
    ],
    ['@aws-sdk/client-auto-scaling', 'AutoScalingClient', 'DescribeAutoScalingGroupsCommand', {}],
    ['@aws-sdk/client-acm', 'ACMClient', 'ListCertificatesCommand', {}],
    ['@aws-sdk/client-cloudfront', 'CloudFrontClient', 'ListDistributionsCommand', {}],
    ['@aws-sdk/client-s3', 'S3Client', 'ListBucketsCommand', {}],
    ['@aws-sdk/client-sts', 'STSClient', 'GetCallerIdentityCommand', {}],
  ];
  for (const region of ['eu-central-1', 'us-east-1']) {
    for (const [pkg, clientName, commandName, input] of warm) {
      const sdk = require(pkg);
      const client = new sdk[clientName]({ region });
      await client.send(new sdk[commandName](input));
      client.destroy();
    }
  }
}

const configFile = writeStackConfig(work, MODEL.pollSeconds * SCALE);

// ---- the real engine and handlers ----
const { loadConfig } = await import(dist('config/load.js'));
const { isReadOnlyOperation } = await import(dist('aws/trace.js'));
const { apply } = await import(dist('engine/apply.js'));
const { buildGraph } = await import(dist('engine/graph.js'));
const { stack } = await import(dist('resources/index.js'));

const loaded = await loadConfig(configFile);
const graph = buildGraph(stack, loaded.config);

const accountId = await accountIdOf(loaded.config.region);

async function up(label, concurrency) {
  const events = [];
  const readsBy = new Map();
  let counted = 0;
  const { env, tracer, close } = await engineSession({
    loaded,
    stack,
    accountId,
    command: 'up',
    options: { wait: true },
    // With one resource at a time, the calls between two resource-done events are that resource's.
    sink: (event) => {
      events.push(event);
      if (event.type === 'resource-done' || event.type === 'run-finished') {
        readsBy.set(event.key ?? '(run)', tracer.records.length - counted);
        counted = tracer.records.length;
      }
    },
    concurrency,
  });
  const started = now();
  try {
    const result = await apply(env);
    const wallMs = now() - started;
    if (!result.ok) {
      const failed = events.filter((e) => e.type === 'resource-failed');
      throw new Error(`${label} failed: ${failed.map((e) => `${e.key}: ${e.error}`).join('; ')}`);
    }
    const reads = tracer.records.filter((r) => isReadOnlyOperation(r.operation)).length;
    return {
      wallMs,
      reads,
      writes: tracer.records.length - reads,
      calls: tracer.records.length,
      events,
      readsBy,
    };
  } finally {
    await close();
  }
}

const fmt = (seconds) => `${seconds.toFixed(1)} s`;
const path = criticalPath(graph);
const scaledPath = path.seconds * SCALE;
console.log(
  `model (×${SCALE}): call ${MODEL.callSeconds * 1000} ms, certificate issued ${MODEL.certificateIssuedSeconds} s, ` +
    `ALB active ${MODEL.loadBalancerActiveSeconds} s, CloudFront Deployed ${MODEL.distributionDeployedSeconds} s, ` +
    `poll ${MODEL.pollSeconds} s`,
);
console.log(`critical path: ${path.chain.join(' → ')} = ${path.seconds} s (×${SCALE}: ${fmt(scaledPath)})`);

const first = await up('up');
const ratio = first.wallMs / 1000 / scaledPath;
console.log(
  `up from nothing: ${fmt(first.wallMs / 1000)} wall (${first.calls} calls, ${first.writes} changing); ` +
    `${ratio.toFixed(2)}× the critical path (target ≤ 1.1×) ${ratio <= 1.1 ? 'ok' : 'MISSED'}`,
);
const startedAt = Date.parse(first.events[0]?.time ?? '');
for (const e of first.events.filter((e) => e.type === 'resource-done' && e.durationMs > ms(5))) {
  const at = (Date.parse(e.time) - startedAt) / 1000;
  console.log(`  ${e.key}: ${e.action} in ${fmt(e.durationMs / 1000)}, done at ${fmt(at)}`);
}

// One resource at a time, so that each call can be put down to the resource that made it.
const noop = await up('no-op up', 1);
const resources = graph.order.length;
const perResource = noop.reads / resources;
console.log(
  `no-op up: ${noop.calls} calls for ${resources} resources: ${perResource.toFixed(2)} reads per resource ` +
    `(target ≤ 2) ${perResource <= 2 ? 'ok' : 'MISSED'}, ${noop.writes} writes (target 0) ${noop.writes === 0 ? 'ok' : 'MISSED'}; ` +
    `${fmt(noop.wallMs / 1000)} wall`,
);
const heavy = [...noop.readsBy].filter(([, n]) => n > 2).map(([key, n]) => `${key} ${n}`);
if (heavy.length) console.log(`  more than 2 calls: ${heavy.join(', ')}`);
if (moto.exitCode === null) moto.kill('SIGTERM');
// Targets missed are reported above, not as a failure: `npm run bench` goes on to the next bench.
