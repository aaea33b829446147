import { type Document, isAlias, isCollection, type Node, visit } from 'yaml';

/**
 * At most this many nodes may be reached through aliases when the YAML is turned into values: a few
 * lines of aliases of aliases (a "billion laughs") would otherwise expand to millions of values.
 */
export const MAX_ALIAS_COUNT = 1000;

function holdsAlias(node: Node): boolean {
  let found = false;
  visit(node, {
    Alias() {
      found = true;
      return visit.BREAK;
    },
  });
  return found;
}

/**
 * Where an expansion that went past MAX_ALIAS_COUNT starts: the first alias of an anchor that itself
 * holds aliases (the nesting that multiplies), else the first alias of the document.
 */
export function aliasExpansionOffset(doc: Document): number {
  let first: number | undefined;
  let nested: number | undefined;
  visit(doc, {
    Alias(_, alias) {
      const offset = alias.range?.[0] ?? 0;
      first ??= offset;
      const target = alias.resolve(doc);
      if (target && isCollection(target) && !isAlias(target) && holdsAlias(target)) {
        nested = offset;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return nested ?? first ?? 0;
}
