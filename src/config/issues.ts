import { UserError } from '../errors.js';

/** One problem in a config file, at the exact key or value it is about. */
export interface ConfigIssue {
  /** The file as the user named it. */
  file: string;
  /** 1-based; 0 when the problem is about the file as a whole (it does not exist). */
  line: number;
  column: number;
  /** Dotted path of the field, e.g. backend.scaling.min; "" for the whole document. */
  path: string;
  /** What is wrong, in one line; includes what was found and what is expected. */
  message: string;
  found?: string;
  expected?: string;
  suggestion?: string;
}

/** A config that cannot be used: exit 2, nothing was changed. The message lists every issue. */
export class ConfigError extends UserError {
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[],
  ) {
    super(configErrorMessage(file, issues), configErrorHint(issues));
    this.name = 'ConfigError';
  }
}

function configErrorMessage(file: string, issues: ConfigIssue[]): string {
  if (issues.length === 1 && issues[0]?.line === 0) return formatIssue(issues[0]);
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  return [`${file} has ${count}:`, ...issues.map((issue) => `  ${formatIssue(issue)}`)].join('\n');
}

function configErrorHint(issues: ConfigIssue[]): string {
  if (issues.some((issue) => issue.line === 0)) {
    return 'pass the config file with -c <file>; config.example.yaml documents every field';
  }
  return 'fix the fields above (config.example.yaml documents every field); `tekamolo validate` checks again';
}

/** `file:line:col  path: message`, the shape editors and terminals turn into links. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  return issue.path ? `${where}  ${issue.path}: ${issue.message}` : `${where}  ${issue.message}`;
}

/** The sentence of an issue: what was found, what is expected, and a guess when there is one. */
export function describeProblem(parts: { found?: string; expected?: string; suggestion?: string }): string {
  const found = parts.found === undefined ? undefined : `found ${parts.found}`;
  const expected = parts.expected === undefined ? undefined : `expected ${parts.expected}`;
  const sentence = [found, expected].filter(Boolean).join(', ');
  return parts.suggestion === undefined ? sentence : `${sentence}; did you mean ${parts.suggestion}?`;
}
