/**
 * Runs the tasks with at most `limit` in flight and resolves with their results in order. The first failure
 * rejects at once and no further task starts (tasks already running see their own abort signal).
 */
export function runWithConcurrency<T>(tasks: ReadonlyArray<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  let failed = false;
  return new Promise<T[]>((resolve, reject) => {
    if (tasks.length === 0) return resolve(results);
    let finished = 0;
    const startNext = (): void => {
      if (failed || next >= tasks.length) return;
      const index = next;
      next += 1;
      tasks[index]().then(
        (value) => {
          results[index] = value;
          finished += 1;
          if (finished === tasks.length) resolve(results);
          else startNext();
        },
        (error: unknown) => {
          if (failed) return;
          failed = true;
          reject(error);
        },
      );
    };
    for (let slot = 0; slot < Math.max(1, Math.floor(limit)); slot += 1) startNext();
  });
}
