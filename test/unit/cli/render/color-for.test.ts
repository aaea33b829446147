import { afterEach, describe, expect, it, vi } from 'vitest';
import { colorFor } from '../../../../src/cli/render/color-for.js';

describe('colorFor', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('follows the terminal when FORCE_COLOR is not set', () => {
    vi.stubEnv('FORCE_COLOR', undefined);
    expect(colorFor({ isTTY: true })).toBe(true);
    expect(colorFor({})).toBe(false);
  });

  it('FORCE_COLOR colours a pipe (a CI log), and FORCE_COLOR=0 or false turns a terminal plain', () => {
    for (const on of ['1', '2', 'true', '']) {
      vi.stubEnv('FORCE_COLOR', on);
      expect(colorFor({ isTTY: false }), on).toBe(true);
    }
    for (const off of ['0', 'false']) {
      vi.stubEnv('FORCE_COLOR', off);
      expect(colorFor({ isTTY: true }), off).toBe(false);
    }
  });
});
