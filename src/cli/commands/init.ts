import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ConfigIssue, formatIssue } from '../../config/issues.js';
import { checkConfigText, displayName } from '../../config/load.js';
import { type InitAnswers, scaffoldConfig, stackNameFor } from '../../config/scaffold.js';
import { ExitCode, UserError } from '../../errors.js';
import { fileProblem } from '../../file-problem.js';
import { CONFIG_SCHEMA, EXAMPLE_CONFIG } from '../../package-files.js';
import type { CliIo } from '../io.js';
import type { CommandRunner, InitOptions } from '../options.js';
import { pickRenderer } from '../render/index.js';
import { ask, canPrompt } from '../render/prompt.js';

type Field = keyof InitAnswers;

/** Asked in this order: the stack name's default comes from the domain. */
const QUESTIONS: {
  field: Field;
  question: string;
  fallback?: (a: Partial<InitAnswers>) => string | undefined;
}[] = [
  { field: 'domain', question: 'Domain the site is served on (its Route 53 zone must exist)' },
  {
    field: 'region',
    question: 'AWS region of the bucket, load balancer and instances',
    fallback: () => process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION,
  },
  {
    field: 'stack',
    question: 'Stack name, the prefix of every resource name',
    fallback: (a) => stackNameFor(a.domain),
  },
];

/**
 * `tekamolo init`: a new commented config from config.example.yaml, with the domain, region and stack
 * from the flags or, on a terminal, asked for. Checked as `validate` checks it before it is written;
 * an existing file is never overwritten. Offline: no AWS call.
 */
export const run: CommandRunner<InitOptions> = async (globals, options) => {
  const file = resolve(globals.config);
  const shown = displayName(file);
  const exists = () =>
    new UserError(
      `${shown} exists already: init never overwrites a config`,
      'remove it, or name another file with -c <file>',
    );
  // Before any question: nobody should answer three of them for a file that cannot be written.
  if (existsSync(file)) throw exists();
  const answers = await answersFor(options, globals.io);
  const example = await readFile(EXAMPLE_CONFIG, 'utf8');
  const text = scaffoldConfig(example, answers, relative(dirname(file), fileURLToPath(CONFIG_SCHEMA)));
  const check = checkConfigText(text, file);
  if (!check.config) {
    // The www alias comes from the domain: a bad domain is said once.
    const domainBad = check.issues.some((issue) => issue.path === 'domain');
    const issues = check.issues.filter((issue) => !(domainBad && issue.path.startsWith('aliases')));
    throw new UserError(
      `${issues.map(asFlagIssue).join('\n')}\nnothing was written`,
      'correct the value and run init again',
    );
  }
  try {
    // wx: a file created since the check above is not overwritten either.
    await writeFile(file, text, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw exists();
    throw new UserError(
      `cannot write the config file ${file}: ${fileProblem(error)}`,
      'choose another path with -c <file>',
    );
  }
  const { stack, region, domain } = answers;
  pickRenderer(globals, globals.io).result({
    text:
      `✓ wrote ${shown} (stack ${stack}, region ${region}, domain ${domain})\n` +
      `  every field is explained in it; next: tekamolo plan${globals.config === './tekamolo.yaml' ? '' : ` -c ${shown}`}\n`,
    document: { command: 'init', ok: true, file, stack, region, domain, awsCalls: { total: 0, changing: 0 } },
  });
  return ExitCode.ok;
};

async function answersFor(options: InitOptions, io: CliIo): Promise<InitAnswers> {
  const answers: Partial<InitAnswers> = { ...options };
  const prompting = canPrompt(io);
  for (const { field, question, fallback } of QUESTIONS) {
    if (answers[field] !== undefined) continue;
    const suggested = fallback?.(answers);
    if (prompting) {
      const answer = await ask(io, `${question}${suggested ? ` [${suggested}]` : ''}: `);
      if (answer || suggested) answers[field] = answer || suggested;
    } else if (field === 'stack' && suggested) {
      answers[field] = suggested;
    }
  }
  // Without a domain the stack name has nothing to come from: only the domain is named then.
  const missing = QUESTIONS.filter(({ field }) => !answers[field] && (field !== 'stack' || answers.domain));
  const flags = missing.map(({ field }) => `--${field}`);
  if (flags.length > 0) {
    throw new UserError(
      `init needs ${flags.join(' and ')}${prompting ? '' : ' (no terminal to ask on)'}: nothing was written`,
      'e.g. tekamolo init --domain example.org --region eu-central-1 [--stack NAME]',
    );
  }
  return answers as InitAnswers;
}

/** An issue of the written config, told as the flag it came from (the aliases come from the domain). */
function asFlagIssue(issue: ConfigIssue): string {
  const field = issue.path.split(/[.[]/)[0];
  const flag = field === 'aliases' ? 'domain' : field;
  if (flag !== 'stack' && flag !== 'region' && flag !== 'domain') return formatIssue(issue);
  return `--${flag}: ${issue.message}`;
}
