import type * as z from 'zod/mini';
import type { ResourceContext } from '../../engine/contract.js';

/**
 * This resource's state entry, read through the shape its handler declares for what it records. A
 * state file is a hint, never a proof: an entry of another shape (edited by hand, written by another
 * version) counts as nothing saved, and `find` looks the resource up by name or tag exactly as after
 * a lost state file. Fields the shape does not name (the outputs saved beside them) are left out.
 */
export function savedState<Shape extends z.ZodMiniType<object>>(
  ctx: ResourceContext,
  shape: Shape,
): Partial<z.output<Shape>> {
  const read = shape.safeParse(ctx.saved);
  return read.success ? read.data : {};
}
