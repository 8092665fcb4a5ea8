/**
 * Creations in batches of 1, 2, 4, ... (upstream's slowStartBatch): a template the API refuses
 * fails once, not `count` times. Returns how many `create` calls succeeded; stops at the first
 * batch with a failure and reports its error.
 */
export async function slowStart(count: number, create: () => Promise<void>): Promise<{ done: number; error?: unknown }> {
  let done = 0;
  for (let batch = 1; done < count; batch *= 2) {
    const n = Math.min(batch, count - done);
    const results = await Promise.allSettled(Array.from({ length: n }, () => create()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    done += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { done, error: failed.reason };
  }
  return { done };
}
