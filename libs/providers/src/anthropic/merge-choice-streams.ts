import type { ChatCompletionChunk } from '@app/core';
import { sumUsage } from './map-anthropic-usage';

/**
 * `n > 1` streamed: one upstream stream per choice (each already carrying its own choice index and the
 * shared id/created), interleaved as chunks arrive. Per-stream usage chunks are held back and summed into
 * one final usage chunk. The first failure stops the other streams and is rethrown.
 */
export async function* mergeChoiceStreams(
  streams: ReadonlyArray<AsyncIterable<ChatCompletionChunk>>,
): AsyncGenerator<ChatCompletionChunk> {
  const iterators = streams.map((stream) => stream[Symbol.asyncIterator]());
  const next = (position: number) => iterators[position].next().then((result) => ({ position, result }));
  const pending = new Map(iterators.map((_, position) => [position, next(position)]));
  const usages: NonNullable<ChatCompletionChunk['usage']>[] = [];
  let last: ChatCompletionChunk | undefined;
  let completed = false;
  try {
    while (pending.size > 0) {
      const { position, result } = await Promise.race(pending.values());
      if (result.done) {
        pending.delete(position);
        continue;
      }
      pending.set(position, next(position));
      const chunk = result.value;
      last = chunk;
      if (chunk.choices.length === 0 && chunk.usage) usages.push(chunk.usage);
      else yield chunk;
    }
    completed = true;
  } finally {
    // Consumer left or one stream failed: close the others (their upstream requests are aborted). Not
    // awaited: a generator's return() waits for its pending next(), i.e. the upstream's next event.
    if (!completed) void Promise.allSettled(iterators.map((iterator) => iterator.return?.()));
  }
  if (last && usages.length > 0) {
    yield {
      id: last.id,
      object: 'chat.completion.chunk',
      created: last.created,
      model: last.model,
      choices: [],
      usage: sumUsage(usages),
    };
  }
}
