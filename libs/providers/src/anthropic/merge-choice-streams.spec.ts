import type { ChatCompletionChunk } from '@app/core';
import { mergeChoiceStreams } from './merge-choice-streams';

const chunk = (
  index: number,
  content: string,
  finish: ChatCompletionChunk.Choice['finish_reason'] = null,
): ChatCompletionChunk => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [{ index, delta: { content }, finish_reason: finish, logprobs: null }],
});
const usage = (prompt: number, completion: number): ChatCompletionChunk => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [],
  usage: {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: 0 },
  },
});

async function* delayed(chunks: ChatCompletionChunk[], delayMs: number) {
  for (const item of chunks) {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    yield item;
  }
}

describe('mergeChoiceStreams', () => {
  it('interleaves choices and sums usage into one final chunk', async () => {
    const merged: ChatCompletionChunk[] = [];
    for await (const item of mergeChoiceStreams([
      delayed([chunk(0, 'a'), chunk(0, '', 'stop'), usage(10, 2)], 1),
      delayed([chunk(1, 'b'), chunk(1, '', 'length'), usage(10, 3)], 2),
    ])) {
      merged.push(item);
    }
    expect(merged.filter((item) => item.choices.length > 0)).toHaveLength(4);
    expect(merged.filter((item) => item.choices.length === 0)).toEqual([usage(20, 5)]);
    expect(merged.at(-1)!.usage?.total_tokens).toBe(25);
    expect(
      merged
        .flatMap((item) =>
          item.choices.filter((choice) => choice.finish_reason).map((choice) => choice.index),
        )
        .sort(),
    ).toEqual([0, 1]);
  });

  it('one failure closes the other streams and is rethrown', async () => {
    let closed = false;
    async function* slow() {
      try {
        yield chunk(0, 'a');
        await new Promise((resolve) => setTimeout(resolve, 1000));
        yield chunk(0, 'late');
      } finally {
        closed = true;
      }
    }
    const failing: AsyncIterable<ChatCompletionChunk> = {
      [Symbol.asyncIterator]: () => ({
        next: () =>
          new Promise<IteratorResult<ChatCompletionChunk>>((_, reject) =>
            setTimeout(() => reject(new Error('boom')), 5),
          ),
      }),
    };
    const run = async () => {
      for await (const _ of mergeChoiceStreams([slow(), failing])) void _;
    };
    const started = Date.now();
    await expect(run()).rejects.toThrow('boom');
    expect(Date.now() - started).toBeLessThan(500); // not held up by the slow stream
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(closed).toBe(true);
  });
});
