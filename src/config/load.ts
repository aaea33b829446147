import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { type Document, LineCounter, parseDocument } from 'yaml';
import { fileProblem } from '../file-problem.js';
import { ConfigError, type ConfigIssue, describeProblem } from './issues.js';
import type { Names } from './names.js';
import { hasKey, type PathIssue, pathText } from './path-issue.js';
import { type Config, configSchema } from './schema.js';
import { checkStages, configForStage, placeInStage, stageNames } from './stages.js';
import { checkSemantics } from './validate.js';
import { configWarnings } from './warnings.js';
import { aliasExpansionOffset, MAX_ALIAS_COUNT } from './yaml-aliases.js';
import { at, positionOf } from './yaml-position.js';
import { fromZodIssue, OWN_MESSAGE } from './zod-issues.js';

export { ConfigError, type ConfigIssue } from './issues.js';

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the config file. */
  file: string;
  /** Folder of the config file: relative paths in the config are relative to it. */
  dir: string;
  names: Names;
  /** Legal but dangerous settings, at their line and column (see warnings.ts). */
  warnings: ConfigIssue[];
  /** The stage selected (`config.stack` is then `<stack>-<stage>`). */
  stage?: Stage;
  /**
   * Problems found after loading (the region has no such AMI) at their line and column: a field that
   * the selected stage overrides is placed in the stage.
   */
  place(issues: PathIssue[]): ConfigIssue[];
}

export interface Stage {
  name: string;
  /** The stack name as written, without the stage. */
  stack: string;
}

/** What checking a config file found: every issue, and the config when there were none. */
export interface ConfigCheck {
  /** The file as messages name it: relative to the working folder when inside it. */
  displayFile: string;
  file: string;
  issues: ConfigIssue[];
  /** Legal but dangerous settings; only looked for when there are no issues. */
  warnings: ConfigIssue[];
  config?: Config;
  stage?: Stage;
  /** Set with `config`: see LoadedConfig. */
  place?: (issues: PathIssue[]) => ConfigIssue[];
}

/** Read, parse and check a config file; throws ConfigError (exit 2) listing every issue. */
export async function loadConfig(file: string, stage?: string): Promise<LoadedConfig> {
  const check = await checkConfigFile(file, stage);
  if (!check.config || !check.place) throw new ConfigError(check.displayFile, check.issues);
  // Loaded here rather than at the top: names hash with node:crypto, which `validate` does not need
  // and which is a noticeable part of its start-up.
  const { deriveNames } = await import('./names.js');
  const { config } = check;
  return {
    config,
    file: check.file,
    dir: dirname(check.file),
    names: deriveNames(config),
    warnings: check.warnings,
    place: check.place,
    ...(check.stage && { stage: check.stage }),
  };
}

/** Every issue of a config file, without throwing for a bad one: what `tekamolo validate` reports. */
export async function checkConfigFile(file: string, stage?: string): Promise<ConfigCheck> {
  const absolute = resolve(file);
  let source: string;
  try {
    source = await readFile(absolute, 'utf8');
  } catch (error) {
    const whole = (message: string) => checkFailed(absolute, [{ line: 0, column: 0, path: '', message }]);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return whole(`config file not found (looked for ${absolute})`);
    if (code === 'EISDIR') return whole(`${absolute} is a folder, expected a YAML file`);
    return whole(`cannot read the config file ${absolute}: ${fileProblem(error)}`);
  }
  return checkConfigText(source, absolute, stage);
}

function checkFailed(absolute: string, issues: Omit<ConfigIssue, 'file'>[]): ConfigCheck {
  const displayFile = displayName(absolute);
  return {
    displayFile,
    file: absolute,
    issues: issues.map((i) => ({ file: displayFile, ...i })),
    warnings: [],
  };
}

/**
 * Every issue of a config's text, as if it were the file `file` (relative paths in it are relative
 * to that file's folder): how `init` checks a config before it writes it.
 */
export function checkConfigText(source: string, file: string, stage?: string): ConfigCheck {
  const absolute = resolve(file);
  const displayFile = displayName(absolute);
  const failed = (issues: ConfigIssue[]): ConfigCheck => checkFailed(absolute, issues);
  const whole = (message: string, line = 0, column = line): ConfigCheck =>
    failed([{ file: displayFile, line, column, path: '', message }]);

  const lines = new LineCounter();
  // merge: `<<: *defaults` works as most YAML users expect, though YAML 1.2 dropped it.
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, merge: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((error): ConfigIssue => {
      const { line, column } = at(lines, error.pos[0]);
      return {
        file: displayFile,
        line,
        column,
        path: '',
        message: `malformed YAML: ${firstLine(error.message)}`,
      };
    });
    return failed(issues);
  }
  if (doc.contents === null || source.trim() === '') {
    return whole('the file is empty, expected a mapping with at least stack, region and domain', 1);
  }

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // The yaml library throws (rather than reporting in doc.errors) when aliases expand too far.
    const { line, column } = at(lines, aliasExpansionOffset(doc));
    const message = /alias/i.test((error as Error).message)
      ? `malformed YAML: aliases here expand to more than ${MAX_ALIAS_COUNT} values (aliases of aliases multiply); write the values out instead`
      : `malformed YAML: ${firstLine((error as Error).message)}`;
    return whole(message, line, column);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    const { line, column } = positionOf(doc, lines, [], 'value');
    const found = Array.isArray(raw) ? 'a list' : JSON.stringify(raw);
    const message = describeProblem({ found, expected: 'a mapping with at least stack, region and domain' });
    return whole(message, line, column);
  }

  const dir = dirname(absolute);
  // jitless: zod otherwise compiles a fast path for each object schema with new Function, which only
  // pays off over many parses; a run parses once, and the compile is a measurable part of start-up.
  const parse = (input: unknown) =>
    configSchema.safeParse(input, { error: () => OWN_MESSAGE, jitless: true });
  const issuesOf = (input: unknown, parsed: ReturnType<typeof parse>, name: string | undefined) => {
    const found = [
      ...(parsed.success ? [] : parsed.error.issues.flatMap((issue) => fromZodIssue(issue, input))),
      ...checkSemantics(input, dir, name),
    ];
    return name === undefined ? found : found.map((issue) => placeInStage(issue, raw, name));
  };
  const selected = configForStage(raw, stage);
  const parsed = parse(selected);
  const pathIssues = [...checkStages(raw, stage), ...issuesOf(selected, parsed, stage)];
  // Without a stage selected, every stage is checked too: `validate` then covers the whole file.
  if (stage === undefined) {
    for (const name of stageNames(raw)) {
      const merged = configForStage(raw, name);
      pathIssues.push(...issuesOf(merged, parse(merged), name));
    }
  }
  const issues = placeIssues(pathIssues, doc, lines, displayFile);
  if (issues.length > 0 || !parsed.success) return failed(issues);
  const config = stage === undefined ? parsed.data : withStage(parsed.data, selected, stage);
  const warnings = placeIssues(configWarnings(config), doc, lines, displayFile);
  const staged = stage === undefined ? {} : { stage: { name: stage, stack: parsed.data.stack } };
  const place = (found: PathIssue[]) =>
    placeIssues(
      stage === undefined ? found : found.map((issue) => placeInStage(issue, raw, stage)),
      doc,
      lines,
      displayFile,
    );
  return { displayFile, file: absolute, issues, warnings, config, place, ...staged };
}

/**
 * The stage is part of the stack name, so of every derived name and tag; a local state file of its
 * own unless the config names one, so that two stages can be run from one folder.
 */
function withStage(config: Config, selected: unknown, stage: string): Config {
  const path = hasKey(selected, ['state', 'path']) ? config.state.path : `.tekamolo/${stage}/state.json`;
  return { ...config, stack: `${config.stack}-${stage}`, state: { ...config.state, path } };
}

/** Give each issue its line and column; one issue per field (the first), in file order. */
function placeIssues(
  pathIssues: PathIssue[],
  doc: Document,
  lines: LineCounter,
  file: string,
): ConfigIssue[] {
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  for (const issue of pathIssues) {
    const path = pathText(issue.path);
    if (seen.has(path)) continue;
    seen.add(path);
    const { line, column } = positionOf(doc, lines, issue.path, issue.anchor);
    const suggestion = issue.suggestion;
    let message = issue.message ?? describeProblem(issue);
    if (issue.message && suggestion !== undefined) message += `; did you mean ${suggestion}?`;
    issues.push({
      file,
      line,
      column,
      path,
      message,
      ...(issue.found !== undefined && { found: issue.found }),
      ...(issue.expected !== undefined && { expected: issue.expected }),
      ...(suggestion !== undefined && { suggestion: suggestion.replace(/^"(.*)"$/, '$1') }),
    });
  }
  return issues.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** A path as messages name it: relative to the working folder when inside it. */
export function displayName(absolute: string): string {
  const rel = relative(process.cwd(), absolute);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : absolute;
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? text;
}
