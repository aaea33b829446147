/** What a run inside another program sees in place of the process's own environment and folder. */
export interface RunEnvironment {
  /**
   * process.env for the run. The AWS SDK reads credentials, region, profile and endpoints from
   * process.env when a client is made or first sends, so the run's values must be there, not beside.
   */
  env?: NodeJS.ProcessEnv;
  /** The working folder for the run: relative config, state and frontend paths resolve against it. */
  cwd?: string;
}

/** Makes process.env exactly `values` (the object itself stays: the SDK and Node hold it). */
export function replaceEnv(values: NodeJS.ProcessEnv): void {
  for (const name of Object.keys(process.env)) delete process.env[name];
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined) process.env[name] = value;
  }
}

/**
 * Runs `fn` with `env` as process.env and in `cwd`, and puts both back when it settles. Both are the
 * process's, so two such runs must not overlap; process.chdir is refused in worker threads.
 */
export async function withEnvironment<T>(run: RunEnvironment, fn: () => Promise<T>): Promise<T> {
  const envBefore = run.env ? { ...process.env } : undefined;
  const cwdBefore = process.cwd();
  if (run.env) replaceEnv(run.env);
  try {
    if (run.cwd !== undefined && run.cwd !== cwdBefore) process.chdir(run.cwd);
    return await fn();
  } finally {
    if (process.cwd() !== cwdBefore) process.chdir(cwdBefore);
    if (envBefore) replaceEnv(envBefore);
  }
}
