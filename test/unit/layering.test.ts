import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every module of src/ with the modules of src/ it imports (type-only imports count too). */
function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    const targets = [...text.matchAll(/(?:from|import)\s+'(\.{1,2}\/[^']+)'/g)].map((m) =>
      relative(root, resolve(root, dirname(file), String(m[1]))).replace(/\.js$/, '.ts'),
    );
    graph.set(file, targets);
  }
  return graph;
}

/** A chain of imports from `file` back to itself, or undefined when it is part of no cycle. */
function cycleThrough(graph: Map<string, string[]>, file: string): string[] | undefined {
  const seen = new Set<string>();
  const search = (path: string[]): string[] | undefined => {
    for (const next of graph.get(path.at(-1) ?? '') ?? []) {
      if (next === file) return [...path, next];
      if (seen.has(next)) continue;
      seen.add(next);
      const found = search([...path, next]);
      if (found) return found;
    }
    return undefined;
  };
  return search([file]);
}

describe('the modules of src/', () => {
  const graph = importGraph(resolve(__dirname, '../../src'));

  it.each(['engine/contract.ts', 'engine/events.ts', 'output/message.ts', 'tags.ts'])(
    '%s is part of no import cycle',
    (file) => {
      expect(graph.has(file)).toBe(true);
      expect(cycleThrough(graph, file)).toBeUndefined();
    },
  );

  it('keep sync/ independent of engine/ (shared constants live in modules both import)', () => {
    const crossing = [...graph].flatMap(([file, targets]) =>
      file.startsWith('sync/')
        ? targets.filter((t) => t.startsWith('engine/')).map((t) => `${file} → ${t}`)
        : [],
    );
    expect(crossing).toEqual([]);
  });
});
