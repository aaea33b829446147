#!/usr/bin/env node
import { spawn } from 'node:child_process';

/**
 * `npm test`: lint first (a second), then the type check beside the build and the tests. The type
 * check (about 12 s of one core) does not block the tests, which leave a core idle while they wait
 * for the emulator. Its output is held back and printed after the tests', so that neither cuts into
 * the other; the exit code is the first failure's. Arguments go to vitest (`npm test -- --project unit`).
 */

/** Runs a command to its end and resolves to its exit code; `capture` collects its output instead of showing it. */
function run(command, args, capture) {
  const name = [command, ...args].join(' ');
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    if (capture) {
      child.stdout.on('data', (chunk) => capture.push(chunk));
      child.stderr.on('data', (chunk) => capture.push(chunk));
    }
    child.on('error', (error) => {
      console.error(`${name}: ${error.message}`);
      resolve(1);
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

const npmRun = (script, capture) => run('npm', ['run', '--silent', script], capture);

const lint = await npmRun('lint');
if (lint !== 0) process.exit(lint);

const typecheckOutput = [];
const typecheck = npmRun('typecheck', typecheckOutput);
const build = await npmRun('build:emit');
const tests = build === 0 ? await run('npx', ['vitest', 'run', ...process.argv.slice(2)]) : build;
const types = await typecheck;

if (typecheckOutput.length > 0) process.stdout.write(Buffer.concat(typecheckOutput));
console.log(types === 0 ? '\ntypecheck: no errors' : `\ntypecheck: failed (exit ${types})`);
if (build !== 0) console.log(`build:emit: failed (exit ${build}); the tests did not run`);
process.exit([build, tests, types].find((code) => code !== 0) ?? 0);
