import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError, WorkError } from '../errors.js';
import { fileProblem } from '../file-problem.js';

const ELSEWHERE = 'or set state.path in the config to another file';

/**
 * For an error that says a file is where a folder should be (ENOTDIR, or EEXIST from mkdir): the
 * nearest part of `path`'s folder that exists but is not a folder (`.tekamolo` as a file).
 */
function fileInTheWay(path: string, error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'ENOTDIR' && code !== 'EEXIST') return undefined;
  for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) {
    const stats = statSync(dir, { throwIfNoEntry: false });
    if (stats) return stats.isDirectory() ? undefined : dir;
  }
  return undefined;
}

const inTheWay = (blocker: string) => `${blocker} is a file, where a folder is needed`;

/**
 * Why the state file (or its lock) cannot be read or made, as a bad-input error: it is raised before
 * anything is changed. `what` names the file's role: "the state file", "the lock file".
 */
export function stateFileError(what: string, path: string, error: unknown): UserError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EISDIR') {
    return new UserError(
      `${what} ${path} is a folder, expected a file`,
      `move the folder away, ${ELSEWHERE} (default .tekamolo/state.json)`,
    );
  }
  const blocker = fileInTheWay(path, error);
  if (blocker) {
    return new UserError(
      `${what} ${path} cannot be kept there: ${inTheWay(blocker)}`,
      `move ${blocker} away, ${ELSEWHERE}`,
    );
  }
  return new UserError(
    `cannot use ${what} ${path}: ${fileProblem(error)}`,
    `fix the file or its folder, ${ELSEWHERE}; nothing was changed`,
  );
}

/** A state save that failed while working: AWS may have changed already, so this is exit 1. */
export function stateSaveError(path: string, error: unknown): WorkError {
  const blocker = fileInTheWay(path, error);
  return new WorkError(
    `could not save the state file ${path}: ${blocker ? inTheWay(blocker) : fileProblem(error)}`,
    'fix the file or its folder and run the command again: tekamolo finds what it created by name and tag',
    { cause: error },
  );
}
