/**
 * Run `work` over `items` with at most `concurrency` in flight, in order of the list.
 *
 * `stopOnError`: after the first failure no new item starts (the calls in flight finish) and that
 * failure is thrown: an upload phase that failed must not go on to the HTML that needs its assets.
 * Otherwise every item runs and all failures are returned, e.g. to report every unreadable file at once.
 */
export async function runPool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
  options: { stopOnError: boolean; signal?: AbortSignal },
): Promise<{ results: (R | undefined)[]; errors: { item: T; error: unknown }[] }> {
  const results: (R | undefined)[] = new Array(items.length);
  const errors: { item: T; error: unknown }[] = [];
  let next = 0;
  let stopped = false;

  async function worker(): Promise<void> {
    while (!stopped && next < items.length) {
      if (options.signal?.aborted) {
        stopped = true;
        return;
      }
      const index = next++;
      const item = items[index]!;
      try {
        results[index] = await work(item, index);
      } catch (error) {
        errors.push({ item, error });
        if (options.stopOnError) stopped = true;
      }
    }
  }

  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, () => worker());
  await Promise.all(workers);
  if (options.stopOnError && errors.length > 0) throw errors[0]!.error;
  return { results, errors };
}
