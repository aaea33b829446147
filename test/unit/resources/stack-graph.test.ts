import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stack } from '../../../src/resources/index.js';

/** The table in src/resources/index.ts: `key ← dep, dep`, one line per resource. */
function documentedGraph(): Map<string, string[]> {
  const source = readFileSync(new URL('../../../src/resources/index.ts', import.meta.url), 'utf8');
  const graph = new Map<string, string[]>();
  for (const match of source.matchAll(/^ \* {3}(\S+)\s+← ?(.*)$/gm)) {
    const deps = (match[2] ?? '')
      .replace(/\(.*?\)/g, '')
      .split(/\s{2,}/)[0]!
      .split(',')
      .map((d) => d.trim())
      .filter(Boolean);
    graph.set(match[1]!, deps);
  }
  return graph;
}

describe('the stack on one page', () => {
  it('documents every resource with exactly the dependencies its handler declares', () => {
    const documented = documentedGraph();
    const declared = new Map(stack.map((r) => [r.key, r.dependsOn]));
    expect([...documented.keys()]).toEqual([...declared.keys()]);
    for (const [key, deps] of declared) expect(documented.get(key)?.sort(), key).toEqual([...deps].sort());
  });
});
