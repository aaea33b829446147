#!/usr/bin/env node
// The whole lifecycle on this machine with no AWS account: a local AWS emulator (moto_server) on a free
// loopback port, what a real account would already have (a hosted zone for the example domain, a built
// site), then `plan`, `up`, `status`, `sync-frontend`, `status`, `destroy` with config.example.yaml.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'bin', 'tekamolo.js');
const bold = (s) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\x1b[1m${s}\x1b[0m` : s);

function say(text) {
  process.stdout.write(`\n${bold(`▶ ${text}`)}\n`);
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

async function waitReady(url, child) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error('moto_server exited early');
    try {
      if ((await fetch(`${url}/moto-api/data.json`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('moto_server did not start within 20 s');
}

if (spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status !== 0) {
  console.error("moto_server is needed for the demo: pip install 'moto[server]'");
  process.exit(2);
}

const port = await freePort();
const url = `http://127.0.0.1:${port}`;
// Certificates stay PENDING_VALIDATION for a few seconds, so the wait for validation is visible.
// The instance role attaches the AWS managed policy AmazonSSMManagedInstanceCore, which the emulator
// knows only when it loads AWS managed policies (a few seconds more at start).
const motoEnv = { ...process.env, MOTO_ACM_VALIDATION_WAIT: '4', MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' };
delete motoEnv.MOTO_ACCOUNT_ID;
const moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
  env: motoEnv,
  stdio: 'ignore',
});
let work;
const stop = () => {
  if (moto.exitCode === null) moto.kill('SIGTERM');
  const killer = setTimeout(() => moto.kill('SIGKILL'), 5000);
  killer.unref();
  if (work) rmSync(work, { recursive: true, force: true });
};
process.on('exit', stop);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stop();
    process.exit(130);
  });
}

const env = {
  ...process.env,
  AWS_ENDPOINT_URL: url,
  AWS_ACCESS_KEY_ID: 'demo',
  AWS_SECRET_ACCESS_KEY: 'demo',
  AWS_REGION: 'eu-central-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  // The emulator's hosted zone is not what public DNS delegates the example domain to.
  TEKAMOLO_SKIP_DNS_CHECK: '1',
};
delete env.AWS_PROFILE;

try {
  await waitReady(url, moto);
  say(`local AWS emulator on ${url}`);

  // What a real account already has: the domain's hosted zone. (The SDK's notice about its 2027
  // releases needing Node 22 is noise here, as in the CLI.)
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const example = parseDocument(readFileSync(join(root, 'config.example.yaml'), 'utf8'));
  const domain = String(example.get('domain'));
  const { Route53Client, CreateHostedZoneCommand } = await import('@aws-sdk/client-route-53');
  const route53 = new Route53Client({
    region: 'us-east-1',
    endpoint: url,
    credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' },
  });
  const zone = await route53.send(
    new CreateHostedZoneCommand({ Name: domain, CallerReference: `demo-${Date.now()}` }),
  );
  route53.destroy();
  say(`hosted zone for ${domain}: ${zone.HostedZone?.Id}`);

  // A copy of the example config: the emulator has no CloudFront Functions API, so routing is off.
  work = mkdtempSync(join(tmpdir(), 'tekamolo-demo-'));
  example.setIn(['frontend', 'routing'], 'none');
  example.setIn(['waits', 'pollSeconds'], 1);
  example.deleteIn(['dns', 'hostedZoneId']);
  example.deleteIn(['$schema']);
  const userData = example.getIn(['backend', 'userData']);
  if (userData) {
    mkdirSync(dirname(join(work, String(userData))), { recursive: true });
    cpSync(join(root, String(userData)), join(work, String(userData)));
  }
  writeFileSync(join(work, 'tekamolo.yaml'), example.toString());
  process.stdout.write(
    'note: the emulator has no CloudFront Functions API; this demo uses a copy of config.example.yaml with\n' +
      '      frontend.routing: none (on AWS the spa routing function is created and associated).\n',
  );

  // A small built site.
  const site = join(work, String(example.getIn(['frontend', 'dir']) ?? './dist'));
  mkdirSync(join(site, 'assets'), { recursive: true });
  writeFileSync(
    join(site, 'index.html'),
    '<!doctype html><title>tekamolo</title><script src="/assets/app.3f9a1c2b.js"></script>\n',
  );
  writeFileSync(join(site, 'about.html'), '<!doctype html><title>about</title>\n');
  writeFileSync(join(site, 'assets', 'app.3f9a1c2b.js'), 'console.log("hello from tekamolo");\n');
  writeFileSync(join(site, 'assets', 'style.9b1e0d4a.css'), 'body { font-family: sans-serif; }\n');
  writeFileSync(join(site, 'robots.txt'), 'User-agent: *\nAllow: /\n');

  const steps = [['plan'], ['up'], ['status'], ['sync-frontend'], ['status'], ['destroy', '--yes']];
  for (const args of steps) {
    say(`tekamolo ${args.join(' ')}`);
    const result = spawnSync(process.execPath, [cli, '-c', join(work, 'tekamolo.yaml'), ...args], {
      env,
      stdio: 'inherit',
    });
    if (result.status !== 0) {
      console.error(`\ntekamolo ${args[0]} exited with ${result.status}`);
      process.exitCode = result.status ?? 1;
      break;
    }
  }
  if (!process.exitCode) say('demo finished: the stack was built, shown, shipped and destroyed');
} catch (error) {
  console.error(`demo failed: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
} finally {
  // The emulator is a child process: stop it and wait, so the demo ends however it went.
  const exited = new Promise((resolve) => moto.once('exit', resolve));
  stop();
  if (moto.exitCode === null) await exited;
}
