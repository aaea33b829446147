// Start-up time of the CLI beside an empty node process: the median wall time of N runs (default 10)
// of each command, run in turns so that a busy moment of the machine hits every command alike.
// Usage: node scripts/bench-startup.mjs [runs]     (npm run bench:startup; needs `npm run build`)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.argv[2] ?? 10);
const TARGET = 1.5;

if (!existsSync(new URL('../dist/cli/main.js', import.meta.url))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}

const commands = [
  { name: 'node -e 0', args: ['-e', '0'], expect: 0 },
  { name: 'tekamolo --help', args: ['bin/tekamolo.js', '--help'], expect: 0 },
  {
    name: 'tekamolo validate -c config.example.yaml',
    args: ['bin/tekamolo.js', 'validate', '-c', 'config.example.yaml'],
    expect: 0,
  },
];

function once(command) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, command.args, { cwd: root, stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== command.expect) {
    throw new Error(`${command.name} exited with ${result.status}, expected ${command.expect}`);
  }
  return ms;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

for (const command of commands) once(command); // warm the file system cache
const times = commands.map(() => []);
for (let i = 0; i < runs; i++) {
  for (const [index, command] of commands.entries()) times[index].push(once(command));
}

const baseline = median(times[0]);
const rows = commands.map((command, index) => {
  const m = median(times[index]);
  return { command: command.name, median: m, min: Math.min(...times[index]), ratio: m / baseline };
});
const width = Math.max(...rows.map((r) => r.command.length));
console.log(`start-up, median of ${runs} runs (node ${process.version})\n`);
console.log(`${'command'.padEnd(width)}  median ms  min ms   × node`);
for (const r of rows) {
  const flag = r.ratio > TARGET && r.command !== 'node -e 0' ? `  over the ${TARGET}× target` : '';
  console.log(
    `${r.command.padEnd(width)}  ${r.median.toFixed(1).padStart(9)}  ${r.min.toFixed(1).padStart(6)}  ${r.ratio.toFixed(2).padStart(6)}${flag}`,
  );
}
