import { describe, expect, it } from 'vitest';
import { helpOf, helpTree } from '../../support/help-tree.js';

/** The built command line's help, every page of it, as an 80-column terminal shows it. */
describe('tekamolo --help (built CLI)', () => {
  it('fits 80 columns on every page, and every subcommand lists the global options', async () => {
    const pages = await helpTree({ COLUMNS: '80' });
    const paths = pages.map((p) => p.path.join(' '));
    // The walk reached the nested commands, not only the first level.
    expect(paths).toEqual(
      expect.arrayContaining(['', 'up', 'init', 'completion', 'state pull', 'state push', 'state history']),
    );
    for (const page of pages) {
      const where = `tekamolo ${page.path.join(' ')} --help`;
      expect(
        page.text.split('\n').filter((line) => line.length > 80),
        where,
      ).toEqual([]);
      if (page.path.length > 0) {
        expect(page.text, where).toMatch(/\nGlobal Options:\n[\s\S]*--config <file>[\s\S]*--profile <name>/);
      }
    }
  });

  it('wraps at the width of the terminal ($COLUMNS when piped)', async () => {
    const profile = (text: string) => text.split('\n').find((line) => line.includes('--profile <name>'));
    const [wide, narrow] = await Promise.all([helpOf([], { COLUMNS: '120' }), helpOf([], { COLUMNS: '80' })]);
    expect(profile(wide)).toMatch(/credential chain\)$/);
    expect(profile(narrow)).toMatch(/credential$/);
  });
});
