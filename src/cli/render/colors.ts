import pc from 'picocolors';

/** The few colours tekamolo uses; all identity functions when colour is off. */
export type Colors = Pick<
  ReturnType<typeof pc.createColors>,
  'red' | 'green' | 'yellow' | 'cyan' | 'dim' | 'bold' | 'magenta'
>;

/** Colour only when allowed: not --no-color, no NO_COLOR, and a terminal (decided by the caller). */
export function colors(enabled: boolean): Colors {
  return pc.createColors(enabled && !process.env.NO_COLOR);
}
