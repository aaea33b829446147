import { keyGlob } from './key-glob.js';
import type { PathIssue } from './path-issue.js';
import { valueAt } from './path-issue.js';
import { SECRET_EXAMPLES } from './secret-names.js';

/**
 * What a config may say but probably should not: reported by `validate` and `plan` (with the line),
 * never an error.
 */
export function configWarnings(raw: unknown): PathIssue[] {
  return includedSecrets(raw);
}

/** An include glob that publishes a file like `.env` or `id_rsa`: the whole internet can read it. */
function includedSecrets(raw: unknown): PathIssue[] {
  const include = valueAt(raw, ['frontend', 'include']);
  if (!Array.isArray(include)) return [];
  const issues: PathIssue[] = [];
  include.forEach((glob: unknown, index) => {
    if (typeof glob !== 'string' || glob === '') return;
    const test = keyGlob(glob);
    const caught = SECRET_EXAMPLES.filter((name) => test(name) || test(`site/${name}`));
    if (caught.length === 0) return;
    issues.push({
      path: ['frontend', 'include', index],
      anchor: 'value',
      message: `${JSON.stringify(glob)} publishes secret-looking files such as ${caught[0]}: CloudFront serves them to anyone`,
    });
  });
  return issues;
}
