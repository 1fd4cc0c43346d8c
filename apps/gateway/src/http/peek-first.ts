/**
 * Starts an async iterable and waits for its first item, so the caller can still choose the HTTP status
 * (an upstream 401/429/overloaded before any token becomes a real status). The returned iterable replays
 * that item, then the rest; stopping it early stops the source (which aborts the upstream call).
 */
export async function peekFirst<T>(
  source: AsyncIterable<T>,
  /** Applied to each item as it passes (cheaper than another async generator around the source). */
  each?: (item: T) => void,
): Promise<AsyncIterable<T>> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (each && !first.done) each(first.value);
  return {
    [Symbol.asyncIterator]() {
      let replayed = false;
      return {
        next: async (): Promise<IteratorResult<T>> => {
          if (!replayed) {
            replayed = true;
            return first;
          }
          const next = await iterator.next();
          if (each && !next.done) each(next.value);
          return next;
        },
        return: async (): Promise<IteratorResult<T>> => {
          await iterator.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
