import { anyGlob } from '../config/key-glob.js';
import { SECRET_GLOBS } from '../config/secret-names.js';

/**
 * Which files of the build folder are published. A build folder often holds more than the site: a
 * `.env` the bundler read, a `.git` folder, editor and OS files, or (with `frontend.dir: .`) the
 * config, the state and the user-data script. CloudFront serves every object of the bucket to anyone,
 * so these are left out unless the user names them.
 *
 * - `frontend.exclude` wins over everything;
 * - dotfiles and dot-folders, and names that look like keys or secrets, are left out by default;
 *   `frontend.include` publishes them (`.well-known/` is published anyway: it is meant to be public);
 * - tekamolo's own files (config, state folder, user data) are never published (see scan.ts).
 */

export interface SelectionRules {
  include?: readonly string[];
  exclude?: readonly string[];
}

/** The reason of a path that `frontend.exclude` names. */
export const BY_EXCLUDE = 'frontend.exclude';

/** The one dot-folder meant for the public (RFC 8615). */
const PUBLIC_DOT_FOLDER = '.well-known';

/** `included`: published only because `frontend.include` names it. */
export type Verdict = { publish: true; included: boolean } | { publish: false; reason: string };

export interface Selection {
  /** A file's verdict, by its key. */
  file(key: string): Verdict;
  /** Why a whole folder (by its key, without a trailing `/`) is left unread; undefined to read it. */
  skipsFolder(key: string): string | undefined;
}

/** `.env*`, `*.pem`, `id_rsa*` and the like (secret-names.ts). */
export const isSecretLooking = anyGlob(SECRET_GLOBS);

function hasDotSegment(key: string): boolean {
  return key.split('/').some((segment) => segment.startsWith('.') && segment !== PUBLIC_DOT_FOLDER);
}

export function selection(rules: SelectionRules): Selection {
  const excluded = anyGlob(rules.exclude ?? []);
  const included = anyGlob(rules.include ?? []);
  const hasIncludes = (rules.include ?? []).length > 0;
  const privateByDefault = (key: string) => hasDotSegment(key) || isSecretLooking(key);
  return {
    file(key) {
      if (excluded(key)) return { publish: false, reason: BY_EXCLUDE };
      if (!privateByDefault(key)) return { publish: true, included: false };
      if (included(key)) return { publish: true, included: true };
      return {
        publish: false,
        reason: hasDotSegment(key)
          ? 'dotfile (frontend.include publishes it)'
          : 'looks like a secret (frontend.include publishes it)',
      };
    },
    skipsFolder(key) {
      if (excluded(key)) return BY_EXCLUDE;
      // With include globs a file inside may be wanted: the folder is read and each file decided.
      if (!hasIncludes && hasDotSegment(key)) return 'dot-folder (frontend.include publishes it)';
      return undefined;
    },
  };
}
