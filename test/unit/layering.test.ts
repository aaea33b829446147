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
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/**
 * Every import cycle, each as one chain `a → b → … → a`: a depth-first walk that reports the back
 * edges it meets, so every module on a cycle is named in at least one chain.
 */
function cycles(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  const done = new Set<string>();
  const walk = (path: string[]): void => {
    const file = path.at(-1) ?? '';
    for (const next of graph.get(file) ?? []) {
      const back = path.indexOf(next);
      if (back >= 0) found.push([...path.slice(back), next].join(' → '));
      else if (!done.has(next) && graph.has(next)) walk([...path, next]);
    }
    done.add(file);
  };
  for (const file of graph.keys()) if (!done.has(file)) walk([file]);
  return found;
}

describe('the modules of src/', () => {
  const graph = importGraph(resolve(__dirname, '../../src'));

  it('import one another without a cycle (a module of a cycle is loaded half-initialised)', () => {
    expect(graph.has('engine/contract.ts')).toBe(true);
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const cyclic = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
    ]);
    expect(cycles(cyclic)).toEqual(['a.ts → b.ts → c.ts → a.ts']);
  });

  it('keep sync/ independent of engine/ (shared constants live in modules both import)', () => {
    const crossing = [...graph].flatMap(([file, targets]) =>
      file.startsWith('sync/')
        ? targets.filter((t) => t.startsWith('engine/')).map((t) => `${file} → ${t}`)
        : [],
    );
    expect(crossing).toEqual([]);
  });
});
