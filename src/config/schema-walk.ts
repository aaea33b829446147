import * as z from 'zod/mini';
import { configSchema } from './schema.js';

/**
 * Reading the config schema itself: which keys a mapping allows and what a field is for, so that an
 * unknown key can be answered with the key that was meant and a missing one with what it is.
 */
type Node = z.core.$ZodType;
type Wrapper = { innerType: Node };

function unwrap(node: Node): Node {
  let current = node;
  for (;;) {
    const def = current._zod.def;
    if (
      def.type === 'default' ||
      def.type === 'prefault' ||
      def.type === 'optional' ||
      def.type === 'nullable'
    ) {
      current = (def as unknown as Wrapper).innerType;
    } else if (def.type === 'pipe') {
      current = (def as z.core.$ZodPipeDef).in;
    } else {
      return current;
    }
  }
}

function child(node: Node, segment: PropertyKey): Node | undefined {
  const def = unwrap(node)._zod.def;
  if (def.type === 'object') return (def as z.core.$ZodObjectDef).shape[String(segment)];
  if (def.type === 'array') return (def as z.core.$ZodArrayDef).element;
  if (def.type === 'record') return (def as z.core.$ZodRecordDef).valueType;
  return undefined;
}

export function schemaAt(path: readonly PropertyKey[], root: Node = configSchema): Node | undefined {
  let node: Node | undefined = root;
  for (const segment of path) {
    if (!node) return undefined;
    node = child(node, segment);
  }
  return node;
}

/** The keys a mapping at `path` allows; empty when it is not a mapping with fixed keys. */
export function keysAt(path: readonly PropertyKey[]): string[] {
  const node = schemaAt(path);
  if (!node) return [];
  const def = unwrap(node)._zod.def;
  return def.type === 'object' ? Object.keys((def as z.core.$ZodObjectDef).shape) : [];
}

/** Every path of a fixed key in the schema, e.g. ["backend", "port"]. */
export function allKeyPaths(path: string[] = []): string[][] {
  return keysAt(path).flatMap((key) => [[...path, key], ...allKeyPaths([...path, key])]);
}

export function descriptionAt(path: readonly PropertyKey[]): string | undefined {
  let node = schemaAt(path);
  while (node) {
    const description = z.globalRegistry.get(node)?.description;
    if (description) return description;
    const def = node._zod.def;
    node =
      def.type === 'default' || def.type === 'prefault' || def.type === 'optional'
        ? (def as unknown as Wrapper).innerType
        : undefined;
  }
  return undefined;
}
