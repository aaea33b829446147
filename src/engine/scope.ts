/** The AWS account, region and profile a run works in: named in the first line of what it prints. */
export interface Scope {
  account: string;
  partition: string;
  region: string;
  /** The profile in use; null for the default credential chain. */
  profile: string | null;
}

/** `{ scope }` when the run has one, to spread into plain data (plan, status, events). */
export function withScope(env: { scope?: Scope }): { scope?: Scope } {
  return env.scope ? { scope: env.scope } : {};
}
