import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

export interface Position {
  line: number;
  column: number;
}

/** What an issue points at: the value, the key that names it, or the mapping it is missing from. */
export type Anchor = 'value' | 'key' | 'parent';

/**
 * Where a config path sits in the YAML source. A path that is not in the file (a missing field, a
 * default that clashes) points at the deepest mapping that is.
 */
export function positionOf(
  doc: Document,
  lines: LineCounter,
  path: readonly PropertyKey[],
  anchor: Anchor,
): Position {
  let node: Node | null | undefined = doc.contents as Node | null;
  let keyNode: Node | undefined;
  let deepest: Node | undefined = node ?? undefined;
  const wanted = anchor === 'parent' ? path.slice(0, -1) : path;
  for (const segment of wanted) {
    if (node && isAlias(node)) node = node.resolve(doc) as Node | undefined;
    if (!node) break;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (!pair) {
        node = undefined;
        break;
      }
      keyNode = pair.key as Node;
      node = pair.value as Node | null;
      // `key:` with nothing after it has no value node: the key is the place to point at.
      deepest = node ?? keyNode;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment] as Node | undefined;
      keyNode = undefined;
      if (node) deepest = node;
    } else {
      node = undefined;
      break;
    }
  }
  const target = node && anchor === 'key' && keyNode ? keyNode : node ? node : deepest;
  return at(lines, target?.range?.[0] ?? 0);
}

export function at(lines: LineCounter, offset: number): Position {
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}
