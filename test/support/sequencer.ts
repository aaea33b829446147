import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The slowest integration files, slowest first, as timed in a full run on a quiet machine (8–20 s
 * each of a 130 s run). Two workers share the files and the run lasts until the last file ends: one of
 * these started last keeps one worker busy for its whole length while the other has nothing left to do.
 */
const SLOWEST_FIRST = [
  'test/integration/e2e-destroy-resume.test.ts',
  'test/integration/sync.test.ts',
  'test/integration/status-cli.test.ts',
  'test/integration/e2e-destroy.test.ts',
  'test/integration/e2e-up.test.ts',
  'test/integration/cli-engine.test.ts',
  'test/integration/e2e-faults-47.test.ts',
  'test/integration/e2e-faults.test.ts',
  'test/integration/resources/compute.test.ts',
  'test/integration/e2e-instance-role.test.ts',
  'test/integration/e2e-leftovers.test.ts',
];

/**
 * Vitest starts the files it has timed before longest first, from its results cache. A clean clone (CI)
 * has none, and then vitest starts the largest files first: the bad network day's files are four lines
 * each (they call a shared helper) and would start last. So files vitest has not timed start in the
 * order above, then in vitest's own order.
 */
export class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const path = (file: TestSpecification) => relative(root, file.moduleId);
    const timed = (file: TestSpecification) =>
      this.ctx.cache.getFileTestResults(`${file.project.name}:${path(file)}`) !== undefined;
    const rank = (file: TestSpecification) => {
      const at = timed(file) ? -1 : SLOWEST_FIRST.indexOf(path(file));
      return at === -1 ? SLOWEST_FIRST.length : at;
    };
    const position = new Map(sorted.map((file, index) => [file, index]));
    return sorted.sort((a, b) => rank(a) - rank(b) || (position.get(a) ?? 0) - (position.get(b) ?? 0));
  }
}
