import { hasKey, type PathIssue, valueAt } from './path-issue.js';

/**
 * Stages: one config for staging and production. `stages.<name>` overrides any field of the config
 * for that stage; the stage becomes part of the stack name (`<stack>-<stage>`), and so of every
 * derived name, the `tekamolo:stack` tag and the state's place.
 */

/** Short: `<stack>-<stage>` is the tag value and the prefix of names cut to AWS's limits. */
export const STAGE_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/;
export const STAGE_RULE = '1–12 characters of a-z, 0-9 and "-", starting and ending with a letter or digit';

/** Fields a stage cannot override: the stack's own name, and stages themselves. */
const FIXED = ['stack', 'stages'];

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Mappings are merged key by key; lists and single values are replaced whole. */
function merge(base: unknown, override: unknown): unknown {
  if (!isMapping(base) || !isMapping(override)) return override;
  const merged: Mapping = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = merge(base[key], value);
  return merged;
}

/** The stage names the config defines. */
export function stageNames(raw: unknown): string[] {
  const stages = valueAt(raw, ['stages']);
  return isMapping(stages) ? Object.keys(stages) : [];
}

/** The config without `stages`, with the stage's overrides (if any) merged in. */
export function configForStage(raw: unknown, stage: string | undefined): unknown {
  if (!isMapping(raw)) return raw;
  const { stages: _stages, ...base } = raw;
  if (stage === undefined) return base;
  const override = valueAt(raw, ['stages', stage]);
  if (!isMapping(override)) return base;
  const { stack: _stack, stages: _nested, ...fields } = override;
  return merge(base, fields);
}

/**
 * An issue found in the merged config is reported where its value was written: in the stage's
 * overrides when it is there, else in the base config.
 */
export function placeInStage(issue: PathIssue, raw: unknown, stage: string): PathIssue {
  const inStage = ['stages', stage, ...issue.path];
  if (issue.path.length === 0 || !hasKey(raw, inStage)) return issue;
  return { ...issue, path: inStage };
}

/** The shape of `stages` itself: names, mappings, no fixed fields; and the selected stage exists. */
export function checkStages(raw: unknown, selected: string | undefined): PathIssue[] {
  const issues: PathIssue[] = [];
  const stages = valueAt(raw, ['stages']);
  if (stages !== undefined && !isMapping(stages)) {
    return [
      {
        path: ['stages'],
        anchor: 'value',
        found: 'not a mapping',
        expected: 'a mapping of stage name to overrides',
      },
    ];
  }
  for (const name of stageNames(raw)) {
    if (!STAGE_PATTERN.test(name)) {
      issues.push({
        path: ['stages', name],
        anchor: 'key',
        found: JSON.stringify(name),
        expected: `a stage name of ${STAGE_RULE}`,
      });
    }
    const override = valueAt(raw, ['stages', name]);
    if (!isMapping(override)) {
      issues.push({
        path: ['stages', name],
        anchor: 'value',
        expected: 'a mapping of the fields this stage overrides',
        found: override === null ? 'an empty value' : 'not a mapping',
      });
      continue;
    }
    for (const field of FIXED) {
      if (field in override) {
        issues.push({
          path: ['stages', name, field],
          anchor: 'key',
          message: `${field} cannot be set in a stage: the stage name is added to the stack name by itself`,
        });
      }
    }
  }
  if (selected !== undefined && !stageNames(raw).includes(selected)) {
    const defined = stageNames(raw);
    issues.push({
      path: defined.length > 0 ? ['stages'] : [],
      anchor: 'key',
      message: `unknown stage ${JSON.stringify(selected)} (--stage or TEKAMOLO_STAGE): ${
        defined.length > 0 ? `the config defines ${defined.join(', ')}` : 'the config defines no stages'
      }`,
    });
  }
  return issues;
}
