// sync-frontend beside `aws s3 sync` and `rclone sync --checksum` on one synthetic build, against a
// local moto_server.
//
// Builds a site of 2,000 files (content-hashed assets, HTML pages, images, a few multi-MB media files),
// runs `tekamolo up` (so that the bucket and its policy are the tool's own, as in real use), then runs
// four phases, each once with every tool (rotating which goes first), each tool into its own bucket:
// first upload, unchanged re-sync, after `touch` of every file, after 10 same-size edits. Per phase and tool it prints the requests the emulator served (from its request log),
// tekamolo's own calls (from --trace), the client's CPU time (user + sys of the child process), the wall
// time, and the ratios. The emulator is the bottleneck for wall time (~150 PUT/s), so requests and
// client CPU are the headline figures.
//
// Usage: node scripts/bench-sync.mjs [--files N] [--concurrency N] [--rounds N] [--keep-alive] [--keep]
//                                    [--node PATH]
// --node runs tekamolo under another Node.js binary (the first upload's CPU depends on the version).
// With several rounds (each on fresh buckets), CPU and wall time are the medians.
// moto_server closes every connection, so each request also costs both clients a new TCP connection;
// S3 keeps connections open. With --keep-alive both tools talk to a small proxy in this process that
// keeps their connections open and forwards each request to the emulator (its CPU is not counted).
// Needs `npm run build`, moto_server, aws-cli (v1) and rclone (Debian package `rclone`) on the PATH. Linux: client CPU is read from
// /proc/self/stat (cutime + cstime of waited-for children). Talks to 127.0.0.1 only.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { Agent, createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const FILES = option('--files', 2000);
const ROUNDS = option('--rounds', 1);
const CONCURRENCY = option('--concurrency', 16);
const KEEP = args.includes('--keep');
const KEEP_ALIVE = args.includes('--keep-alive');
const NODE = args.includes('--node') ? args[args.indexOf('--node') + 1] : process.execPath;
const REGION = 'eu-central-1';
const STACK = 'bench';
const ACCOUNT = '123456789012';
const AWSCLI_BUCKET = 'bench-awscli';
const RCLONE_BUCKET = 'bench-rclone';
const DOMAIN = 'bench.example';
const TOOLS = ['tekamolo', 'aws-cli', 'rclone'];

for (const [what, ok] of [
  ['dist/ (run `npm run build`)', existsSync(join(root, 'dist/cli/main.js'))],
  [`a Node.js at ${NODE} (--node)`, spawnSync(NODE, ['--version'], { stdio: 'ignore' }).status === 0],
  ['moto_server', spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0],
  ['aws (aws-cli)', spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0],
  ['rclone (apt-get install rclone)', spawnSync('rclone', ['version'], { stdio: 'ignore' }).status === 0],
  ['/proc/self/stat', existsSync('/proc/self/stat')],
]) {
  if (!ok) {
    console.error(`bench-sync needs ${what}`);
    process.exit(2);
  }
}

// ---------- a deterministic synthetic build ----------

/** Pseudo-random bytes from a seed: the same site every run, incompressible like real media. */
function bytes(seed, size) {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(String(seed)).digest();
  for (let offset = 0; offset < size; offset += block.length) {
    block.copy(out, offset, 0, Math.min(block.length, size - offset));
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

/** Text of about `size` bytes (HTML, JS, CSS compress and look like text). */
function text(seed, size, line) {
  const parts = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const piece = `${line} ${seed}:${i}\n`;
    parts.push(piece);
    length += piece.length;
  }
  return parts.join('').slice(0, size);
}

const hash8 = (content) => createHash('sha256').update(content).digest('hex').slice(0, 8);

async function buildSite(dir) {
  const files = [];
  const put = async (key, content) => {
    await mkdir(dirname(join(dir, key)), { recursive: true });
    await writeFile(join(dir, key), content);
    files.push(key);
  };
  const media = [3, 6, 12, 20].map((mb, i) => [`media/clip${i}.mp4`, mb * 1024 * 1024]);
  const misc = ['robots.txt', 'favicon.ico', 'site.webmanifest', 'sitemap.xml'];
  const html = Math.round(FILES * 0.2);
  const images = Math.round(FILES * 0.19);
  const assets = FILES - html - images - media.length - misc.length;
  await put('robots.txt', 'User-agent: *\nAllow: /\n');
  await put('favicon.ico', bytes('favicon', 4286));
  await put('site.webmanifest', '{"name":"bench","icons":[]}');
  await put('sitemap.xml', `<?xml version="1.0"?><urlset>${'<url/>'.repeat(200)}</urlset>`);
  await put('index.html', text('home', 8000, '<p>home page</p>'));
  for (let i = 1; i < html; i++)
    await put(`blog/post-${i}/index.html`, text(`post${i}`, 2000 + ((i * 7919) % 18000), '<p>post</p>'));
  for (let i = 0; i < assets; i++) {
    const ext = i % 4 === 0 ? 'css' : 'js';
    const content = text(
      `asset${i}`,
      1000 + ((i * 104729) % 49000),
      ext === 'css' ? '.a{color:red}' : 'export const a=1;',
    );
    await put(`assets/chunk-${i}-${hash8(content)}.${ext}`, content);
  }
  for (let i = 0; i < images; i++)
    await put(`img/photo-${i}.jpg`, bytes(`img${i}`, 10_000 + ((i * 7907) % 140_000)));
  for (const [key, size] of media) await put(key, bytes(key, size));
  return files;
}

/** Change bytes, keep the size: what `aws s3 sync --size-only` cannot see. */
async function editSameSize(dir, key) {
  const path = join(dir, key);
  const data = await readFile(path);
  for (let i = 0; i < Math.min(16, data.length); i++) data[i] = data[i] ^ 0x01;
  await writeFile(path, data);
}

// ---------- the emulator ----------

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startMoto(logFile) {
  const port = await freePort();
  // The request log goes to a file, not a pipe: a pipe nobody reads while a client runs would fill and
  // stall the emulator.
  const log = openSync(logFile, 'a');
  // Certificates are issued at once: `up` before the phases waits for nothing.
  const env = { ...process.env, MOTO_ACM_VALIDATION_WAIT: '0' };
  delete env.MOTO_ACCOUNT_ID;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', log, log],
    env,
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/moto-api/data.json`)).ok) return { url, child };
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('moto_server did not start');
}

/** Requests by kind from werkzeug's log lines: `"PUT /bucket/key?partNumber=1&uploadId=… HTTP/1.1" 200`. */
function classify(method, target) {
  const [path, query = ''] = target.split('?');
  const q = new URLSearchParams(query);
  if (path.startsWith('/moto-api')) return undefined;
  if (path.startsWith('/2020-05-31/distribution')) {
    if (path.includes('/invalidation')) return method === 'POST' ? 'CreateInvalidation' : 'GetInvalidation';
    return method === 'GET' ? 'cloudfront GET' : `cloudfront ${method}`;
  }
  if (method === 'POST' && path === '/') return 'sts/other POST /';
  if (
    q.has('list-type') ||
    (method === 'GET' && path.split('/').filter(Boolean).length === 1 && !q.has('tagging'))
  ) {
    return 'ListObjects';
  }
  if (q.has('tagging')) return `${method} tagging`;
  if (method === 'PUT' && q.has('partNumber')) return 'UploadPart';
  if (method === 'POST' && q.has('uploads')) return 'CreateMultipartUpload';
  if (method === 'POST' && q.has('uploadId')) return 'CompleteMultipartUpload';
  if (method === 'POST' && q.has('delete')) return 'DeleteObjects';
  if (method === 'PUT') return 'PutObject/CopyObject';
  if (method === 'GET') return 'GetObject';
  if (method === 'HEAD') return 'HeadObject';
  if (method === 'DELETE') return 'DeleteObject';
  return `${method} other`;
}

function emulatorRequests(logFile, fromByte) {
  const text = readFileSync(logFile, 'utf8').slice(fromByte);
  const counts = {};
  for (const match of text.matchAll(/"(GET|PUT|POST|HEAD|DELETE) (\S+) HTTP\/[\d.]+" (\d{3})/g)) {
    const kind = classify(match[1], match[2]);
    if (kind) counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

/** A loopback proxy that keeps client connections open and forwards each request to `target`. */
async function startKeepAliveProxy(target) {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: false, maxSockets: 64 });
  const server = createHttpServer((req, res) => {
    const headers = { ...req.headers };
    delete headers.connection;
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
      (answer) => {
        const back = { ...answer.headers };
        delete back.connection;
        delete back['keep-alive'];
        res.writeHead(answer.statusCode ?? 502, back);
        answer.pipe(res);
      },
    );
    forward.on('error', (error) => {
      res.writeHead(502);
      res.end(String(error));
    });
    req.pipe(forward);
  });
  server.keepAliveTimeout = 60_000;
  const port = await freePort();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, server };
}

// ---------- running a client and measuring it ----------

/** User + system CPU seconds of this process's waited-for children (fields 16, 17 of /proc/self/stat). */
const NODE_VERSION = spawnSync(NODE, ['--version'], { encoding: 'utf8' }).stdout?.trim();
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim() || 100);
function childrenCpuSeconds() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
}

/**
 * Run a client to its end and measure it. Asynchronous, so that the keep-alive proxy in this process
 * goes on serving while the client runs; the child is waited for before its CPU time is read.
 */
async function measure(command, commandArgs, options) {
  const cpuBefore = childrenCpuSeconds();
  const started = process.hrtime.bigint();
  const child = spawn(command, commandArgs, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    stderr += chunk;
  });
  const status = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = childrenCpuSeconds() - cpuBefore;
  if (status !== 0) {
    throw new Error(`${command} ${commandArgs.join(' ')} exited with ${status}\n${stderr}`);
  }
  return { wall, cpu, stdout, stderr };
}

function traceCounts(file, fromByte) {
  const counts = {};
  if (!existsSync(file)) return counts;
  for (const line of readFileSync(file, 'utf8').slice(fromByte).split('\n')) {
    if (!line) continue;
    const { operation } = JSON.parse(line);
    counts[operation] = (counts[operation] ?? 0) + 1;
  }
  return counts;
}

// ---------- main ----------

const work = await mkdtemp(join(tmpdir(), 'tekamolo-bench-sync-'));
const motoLog = join(work, 'moto.log');
const trace = join(work, 'trace.jsonl');
let moto;
let proxy;
try {
  process.stderr.write(`building a ${FILES}-file site in ${work} … `);
  const siteFiles = await buildSite(join(work, 'pristine'));
  const files = siteFiles;
  const total = files.reduce((sum, key) => sum + statSync(join(work, 'pristine', key)).size, 0);
  process.stderr.write(`${files.length} files, ${(total / 1024 / 1024).toFixed(1)} MiB\n`);

  moto = await startMoto(motoLog);
  proxy = KEEP_ALIVE ? await startKeepAliveProxy(moto.url) : undefined;
  const endpoint = proxy?.url ?? moto.url;
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    NO_COLOR: '1',
    NODE_NO_WARNINGS: '1',
  };
  delete env.AWS_PROFILE;
  // aws-cli at the same concurrency as tekamolo.
  const awsConfig = join(work, 'aws-config');
  await writeFile(
    awsConfig,
    `[default]\nregion = ${REGION}\ns3 =\n  max_concurrent_requests = ${CONCURRENCY}\n`,
  );
  env.AWS_CONFIG_FILE = awsConfig;

  const awscli = (...a) => measure('aws', ['--endpoint-url', endpoint, ...a], { env });
  // rclone as the emulator needs it: a generic S3 provider, path style (MOTO.md).
  const rcloneEnv = {
    ...env,
    RCLONE_CONFIG_BENCH_TYPE: 's3',
    RCLONE_CONFIG_BENCH_PROVIDER: 'Other',
    RCLONE_CONFIG_BENCH_ENDPOINT: endpoint,
    RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: 'true',
    RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: 'test',
    RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: 'test',
    RCLONE_CONFIG_BENCH_REGION: REGION,
  };
  delete rcloneEnv.AWS_CA_BUNDLE;
  // The domain's hosted zone, as a real account has it before `up`.
  await awscli(
    'route53',
    'create-hosted-zone',
    '--name',
    DOMAIN,
    '--caller-reference',
    `bench-${Date.now()}`,
  );

  /** One round: fresh buckets (and a fresh copy of the site), then the four phases. */
  async function round(r) {
    const stack = `${STACK}${r}`;
    const tekamoloBucket = `${stack}-site-${ACCOUNT}`;
    const awscliBucket = `${AWSCLI_BUCKET}-${r}`;
    const roundSite = join(work, `site-${r}`);
    await cp(join(work, 'pristine'), roundSite, { recursive: true });
    const files = siteFiles;
    const rcloneBucket = `${RCLONE_BUCKET}-${r}`;
    for (const bucket of [awscliBucket, rcloneBucket]) {
      await awscli(
        's3api',
        'create-bucket',
        '--bucket',
        bucket,
        '--create-bucket-configuration',
        `LocationConstraint=${REGION}`,
      );
    }
    // The real flow: `up` makes the bucket, its policy and the distribution. The emulator has no
    // CloudFront Functions API, hence routing none.
    const config = join(work, `tekamolo-${r}.yaml`);
    await writeFile(
      config,
      `stack: ${stack}\nregion: ${REGION}\ndomain: ${DOMAIN}\nfrontend:\n  dir: ${roundSite}\n  routing: none\n` +
        `  bucket: ${tekamoloBucket}\nwaits:\n  pollSeconds: 0.05\n` +
        // The instance role needs an emulator that loads every AWS managed policy; the sync needs no role.
        'backend:\n  sessionManager: false\n' +
        // One stack per round, so one state file per round: the folder is shared.
        `state:\n  path: .tekamolo/state-${r}.json\n`,
    );
    process.stderr.write(`round ${r + 1}: tekamolo up … `);
    const up = await measure(NODE, [join(root, 'bin/tekamolo.js'), '-c', config, '--yes', 'up'], {
      env: { ...env, AWS_EC2_METADATA_DISABLED: 'true' },
      cwd: work,
    });
    process.stderr.write(`${up.wall.toFixed(1)} s\n`);

    const tools = {
      tekamolo: () =>
        measure(
          NODE,
          [
            join(root, 'bin/tekamolo.js'),
            '-c',
            config,
            '--trace',
            trace,
            '--json',
            'sync-frontend',
            '--concurrency',
            String(CONCURRENCY),
          ],
          { env, cwd: work },
        ),
      'aws-cli': () =>
        measure(
          'aws',
          [
            '--endpoint-url',
            endpoint,
            's3',
            'sync',
            roundSite,
            `s3://${awscliBucket}`,
            '--no-progress',
            '--only-show-errors',
          ],
          { env, cwd: work },
        ),
      rclone: () =>
        measure(
          'rclone',
          [
            'sync',
            '--checksum',
            '--transfers',
            String(CONCURRENCY),
            '--checkers',
            String(CONCURRENCY),
            roundSite,
            `bench:${rcloneBucket}`,
          ],
          { env: rcloneEnv, cwd: work },
        ),
    };

    const phases = [
      { name: 'first upload', before: async () => {} },
      { name: 'unchanged re-sync', before: async () => {} },
      {
        name: 'after touch of every file',
        before: async () => {
          const now = new Date();
          for (const key of files) await utimes(join(roundSite, key), now, now);
        },
      },
      {
        name: 'after 10 same-size edits',
        before: async () => {
          const picks = [
            ...files.filter((k) => k.endsWith('.html')).slice(0, 4),
            ...files.filter((k) => k.startsWith('assets/')).slice(0, 4),
            ...files.filter((k) => k.startsWith('img/')).slice(0, 2),
          ];
          for (const key of picks) await editSameSize(roundSite, key);
        },
      },
    ];

    const rows = [];
    for (const [index, phase] of phases.entries()) {
      await phase.before();
      // Alternate who goes first, so that a warm cache or a busy moment does not always favour one tool.
      const shift = (index + r) % TOOLS.length;
      const order = [...TOOLS.slice(shift), ...TOOLS.slice(0, shift)];
      const row = { phase: phase.name };
      for (const tool of order) {
        const logFrom = statSync(motoLog).size;
        const traceFrom = existsSync(trace) ? statSync(trace).size : 0;
        process.stderr.write(`round ${r + 1}, ${phase.name}: ${tool} … `);
        const run = await tools[tool]();
        // werkzeug writes its log line after the response; give the last lines a moment to land.
        await new Promise((resolve) => setTimeout(resolve, 300));
        const emulator = emulatorRequests(motoLog, logFrom);
        const result = { ...run, emulator, requests: Object.values(emulator).reduce((a, b) => a + b, 0) };
        if (tool === 'tekamolo') {
          result.trace = traceCounts(trace, traceFrom);
          const summary = run.stdout
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l))
            .find((e) => e.code === 'sync-finished')?.summary;
          result.uploads = summary?.uploaded ?? 0;
          result.summary = summary;
        } else {
          result.uploads = (emulator['PutObject/CopyObject'] ?? 0) + (emulator.CreateMultipartUpload ?? 0);
        }
        row[tool] = result;
        process.stderr.write(`${run.wall.toFixed(1)} s\n`);
      }
      rows.push(row);
    }
    return rows;
  }

  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) rounds.push(await round(r));
  // Request counts are the same every round; CPU and wall time are the medians of the rounds.
  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const results = rounds[0].map((row, index) => {
    const merged = { phase: row.phase };
    for (const tool of TOOLS) {
      const all = rounds.map((rows) => rows[index][tool]);
      merged[tool] = { ...all[0], cpu: median(all.map((x) => x.cpu)), wall: median(all.map((x) => x.wall)) };
    }
    return merged;
  });

  // ---------- report ----------
  const pad = (s, n) => String(s).padStart(n);
  const fmt = (n, digits = 2) => (typeof n === 'number' ? n.toFixed(digits) : String(n));
  const ratio = (a, b) => (b > 0 ? `${(a / b).toFixed(2)}×` : a > 0 ? '∞' : '–');
  console.log(
    `\nsync-frontend vs aws s3 sync and rclone sync --checksum: ${files.length} files, ${(total / 1024 / 1024).toFixed(1)} MiB, ` +
      `concurrency ${CONCURRENCY}, ${ROUNDS} round(s) (CPU and wall: medians), after \`tekamolo up\`, moto_server on ${moto.url} ` +
      (proxy ? `behind a keep-alive proxy on ${proxy.url} ` : '') +
      `(tekamolo on node ${NODE_VERSION})\n`,
  );
  for (const row of results) {
    const [t, a, c] = TOOLS.map((tool) => row[tool]);
    console.log(`== ${row.phase}`);
    console.log(
      `${''.padEnd(34)}${pad('tekamolo', 10)}${pad('aws-cli', 10)}${pad('rclone', 10)}${pad('tk/aws', 9)}${pad('tk/rcl', 9)}`,
    );
    const line = (label, x, y, z, digits = 0) =>
      console.log(
        `${label.padEnd(34)}${pad(fmt(x, digits), 10)}${pad(fmt(y, digits), 10)}${pad(fmt(z, digits), 10)}` +
          `${pad(ratio(x, y), 9)}${pad(ratio(x, z), 9)}`,
      );
    line('uploads (objects)', t.uploads, a.uploads, c.uploads);
    line('requests seen by the emulator', t.requests, a.requests, c.requests);
    const kinds = [
      ...new Set([...Object.keys(t.emulator), ...Object.keys(a.emulator), ...Object.keys(c.emulator)]),
    ].sort();
    for (const kind of kinds)
      line(`  ${kind}`, t.emulator[kind] ?? 0, a.emulator[kind] ?? 0, c.emulator[kind] ?? 0);
    line('client CPU, user+sys (s)', t.cpu, a.cpu, c.cpu, 2);
    line('wall time (s)', t.wall, a.wall, c.wall, 2);
    console.log(
      `  tekamolo --trace: ${Object.entries(t.trace)
        .sort()
        .map(([op, n]) => `${op} ${n}`)
        .join(', ')}`,
    );
    if (t.summary) {
      const s = t.summary;
      console.log(
        `  tekamolo summary: uploaded ${s.uploaded}, unchanged ${s.unchanged}, headers ${s.metadataUpdated}, ` +
          `hashed ${s.hashed}, invalidated ${s.invalidatedPaths} path(s)`,
      );
    }
    console.log('');
  }

  const [first, unchanged, touched] = results;
  const writes = (x) =>
    (x.emulator['PutObject/CopyObject'] ?? 0) +
    (x.emulator.UploadPart ?? 0) +
    (x.emulator.CreateMultipartUpload ?? 0);
  const checks = [
    [
      'first upload: client CPU ≤ rclone',
      first.tekamolo.cpu <= first.rclone.cpu,
      `${first.tekamolo.cpu.toFixed(2)} s vs ${first.rclone.cpu.toFixed(2)} s (${ratio(first.tekamolo.cpu, first.rclone.cpu)})`,
    ],
    [
      'unchanged re-sync: client CPU ≤ aws-cli (which compares size and mtime only)',
      unchanged.tekamolo.cpu <= unchanged['aws-cli'].cpu,
      `${unchanged.tekamolo.cpu.toFixed(2)} s vs ${unchanged['aws-cli'].cpu.toFixed(2)} s`,
    ],
    [
      'unchanged re-sync and after touch: tekamolo writes 0',
      writes(unchanged.tekamolo) === 0 && writes(touched.tekamolo) === 0,
      `${writes(unchanged.tekamolo)} and ${writes(touched.tekamolo)} (aws-cli after touch ${writes(touched['aws-cli'])})`,
    ],
  ];
  console.log('targets');
  for (const [what, ok, detail] of checks) console.log(`  ${ok ? 'met    ' : 'MISSED '} ${what}: ${detail}`);
  process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
} finally {
  proxy?.server.close();
  if (moto) {
    moto.child.kill('SIGTERM');
    await new Promise((r) => {
      const timer = setTimeout(() => {
        moto.child.kill('SIGKILL');
        r();
      }, 5000);
      moto.child.once('exit', () => {
        clearTimeout(timer);
        r();
      });
    });
  }
  if (KEEP) console.error(`kept ${work}`);
  else await rm(work, { recursive: true, force: true });
}
