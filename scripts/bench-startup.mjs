// Start-up time of the CLI beside an empty node process: the median wall time of N runs (default 10)
// of each command, run in turns so that a busy moment of the machine hits every command alike.
// On Linux, the CPU time (user + system) of each run is shown too: unlike wall time, it barely moves
// when other processes compete for the cores.
// Usage: node scripts/bench-startup.mjs [runs]     (npm run bench:startup; needs `npm run build`)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.argv[2] ?? 10);
// Within 2× of an empty node process, with no start-up machinery of our own (one ES module bundle).
const TARGET = 2;

if (!existsSync(join(root, 'dist/cli/main.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}

const commands = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'tekamolo --help', args: ['bin/tekamolo.js', '--help'] },
  {
    name: 'tekamolo validate -c config.example.yaml',
    args: ['bin/tekamolo.js', 'validate', '-c', 'config.example.yaml'],
  },
];

const time = process.platform === 'linux' && existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const scratch = mkdtempSync(join(tmpdir(), 'tekamolo-bench-'));
const cpuFile = join(scratch, 'cpu');

function once(command) {
  const [file, args] = time
    ? [time, ['-f', '%U %S', '-o', cpuFile, process.execPath, ...command.args]]
    : [process.execPath, command.args];
  const start = process.hrtime.bigint();
  const result = spawnSync(file, args, { cwd: root, stdio: 'ignore' });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command.name} exited with ${result.status}`);
  const cpu = time
    ? readFileSync(cpuFile, 'utf8')
        .trim()
        .split(/\s+/)
        .reduce((sum, s) => sum + Number(s) * 1000, 0)
    : Number.NaN;
  return { wall, cpu };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

for (const command of commands) once(command); // warm the file system cache
const samples = commands.map(() => []);
for (let i = 0; i < runs; i++) {
  for (const [index, command] of commands.entries()) samples[index].push(once(command));
}
rmSync(scratch, { recursive: true, force: true });

const rows = commands.map((command, index) => ({
  command: command.name,
  wall: median(samples[index].map((s) => s.wall)),
  cpu: median(samples[index].map((s) => s.cpu)),
}));
const [base] = rows;
const width = Math.max(...rows.map((r) => r.command.length));
const load = loadavg()[0].toFixed(1);
console.log(`start-up, median of ${runs} runs (node ${process.version}, load average ${load})\n`);
console.log(`${'command'.padEnd(width)}  wall ms  × node${time ? '  cpu ms  × node' : ''}`);
for (const r of rows) {
  const ratio = r.wall / base.wall;
  const cpu = time ? `  ${r.cpu.toFixed(0).padStart(6)}  ${(r.cpu / base.cpu).toFixed(2).padStart(6)}` : '';
  const flag = r !== base && ratio > TARGET ? `   above the ${TARGET}× target` : '';
  console.log(
    `${r.command.padEnd(width)}  ${r.wall.toFixed(1).padStart(7)}  ${ratio.toFixed(2).padStart(6)}${cpu}${flag}`,
  );
}
