import { APIError } from '@anthropic-ai/sdk';
import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages/messages';
import { GatewayError, type ChatCompletionChunk } from '@app/core';
import { createAnthropicChunkTranslator, type StreamContext } from './anthropic-stream-to-chunks';
import { replaySseFixture } from './__fixtures__/replay-sse-fixture';
import { mapAnthropicError } from './map-anthropic-error';

const context: StreamContext = { model: 'claude-test', created: 1700000000 };

/** The adapter's loop: each batch of events translated, then the end of the body checked. */
async function* translateStream(
  batches: AsyncIterable<RawMessageStreamEvent[]>,
  streamContext: StreamContext,
): AsyncGenerator<ChatCompletionChunk> {
  const translator = createAnthropicChunkTranslator(streamContext);
  for await (const events of batches) yield* translator.translate(events);
  translator.finish();
}

async function collect(
  batches: AsyncIterable<RawMessageStreamEvent[]>,
  extra: Partial<StreamContext> = {},
): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of translateStream(batches, { ...context, ...extra })) chunks.push(chunk);
  return chunks;
}

type LooseDelta = ChatCompletionChunk.Choice.Delta & { reasoning_content?: string };
const deltas = (chunks: ChatCompletionChunk[]) =>
  chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta as LooseDelta));
const text = (chunks: ChatCompletionChunk[]) =>
  deltas(chunks)
    .map((delta) => delta.content ?? '')
    .join('');
const finishes = (chunks: ChatCompletionChunk[]) =>
  chunks
    .flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason))
    .filter((reason) => reason !== null);

/** Every chunk shares id/created/model; exactly one finish; usage chunk last with no choices. */
function expectWellFormed(chunks: ChatCompletionChunk[], expectedId: string): void {
  expect(new Set(chunks.map((chunk) => chunk.id))).toEqual(new Set([expectedId]));
  expect(new Set(chunks.map((chunk) => chunk.created))).toEqual(new Set([1700000000]));
  expect(
    chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.model === 'claude-test'),
  ).toBe(true);
  expect(finishes(chunks)).toHaveLength(1);
  expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
  const last = chunks.at(-1)!;
  expect(last.choices).toEqual([]);
  expect(last.usage).toBeDefined();
}

describe('anthropicStreamToChunks (recorded streams)', () => {
  it('text: anthropic-basic-response.sse', async () => {
    const chunks = await collect(replaySseFixture('anthropic-basic-response.sse'));
    expectWellFormed(chunks, 'chatcmpl-msg_4QpJur2dWWDjF6C758FbBw5vm12BaVipnK');
    expect(text(chunks)).toBe('Hello there!');
    expect(finishes(chunks)).toEqual(['stop']);
    expect(chunks.at(-1)!.usage).toEqual({
      prompt_tokens: 11,
      completion_tokens: 6,
      total_tokens: 17,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });

  it('text then one tool call: anthropic-tool-use-response.sse', async () => {
    const chunks = await collect(replaySseFixture('anthropic-tool-use-response.sse'));
    expectWellFormed(chunks, 'chatcmpl-msg_019Q1hrJbZG26Fb9BQhrkHEr');
    expect(text(chunks)).toBe("I'll check the current weather in Paris for you.");
    const calls = deltas(chunks).flatMap((delta) => delta.tool_calls ?? []);
    expect(calls[0]).toEqual({
      index: 0,
      id: 'toolu_01NRLabsLyVHZPKxbKvkfSMn',
      type: 'function',
      function: { name: 'get_weather', arguments: '' },
    });
    expect(calls.slice(1).every((call) => call.index === 0 && call.id === undefined)).toBe(true);
    expect(calls.map((call) => call.function?.arguments).join('')).toBe('{"location": "Paris"}');
    expect(finishes(chunks)).toEqual(['tool_calls']);
    expect(chunks.at(-1)!.usage?.completion_tokens).toBe(65);
    expect(chunks.at(-1)!.usage?.prompt_tokens).toBe(377);
  });

  it('parallel tools: indexes counted per tool call, no-argument tool gets "{}"', async () => {
    const chunks = await collect(replaySseFixture('anthropic-parallel-tools-response.sse'));
    expectWellFormed(chunks, 'chatcmpl-msg_01ParallelTools');
    const calls = deltas(chunks).flatMap((delta) => delta.tool_calls ?? []);
    const byIndex = new Map<number, { id?: string; name?: string; arguments: string }>();
    for (const call of calls) {
      const entry = byIndex.get(call.index) ?? { arguments: '' };
      if (call.id) entry.id = call.id;
      if (call.function?.name) entry.name = call.function.name;
      entry.arguments += call.function?.arguments ?? '';
      byIndex.set(call.index, entry);
    }
    expect([...byIndex.entries()]).toEqual([
      [0, { id: 'toolu_01Paris', name: 'get_weather', arguments: '{"location": "Paris"}' }],
      [1, { id: 'toolu_01Tokyo', name: 'get_weather', arguments: '{"location": "Tokyo"}' }],
      [2, { id: 'toolu_01Time', name: 'get_time', arguments: '{}' }],
    ]);
    expect(finishes(chunks)).toEqual(['tool_calls']);
  });

  it('thinking → reasoning_content, signature ignored, cached tokens counted', async () => {
    const chunks = await collect(replaySseFixture('anthropic-thinking-response.sse'));
    expectWellFormed(chunks, 'chatcmpl-msg_01ThinkingExample');
    expect(
      deltas(chunks)
        .map((delta) => delta.reasoning_content ?? '')
        .join(''),
    ).toBe('27 * 453: 27*400=10800, 27*53=1431, total 12231.');
    expect(text(chunks)).toBe('27 * 453 = 12,231');
    expect(JSON.stringify(chunks)).not.toContain('EqQBCg');
    expect(chunks.at(-1)!.usage).toEqual({
      prompt_tokens: 32,
      completion_tokens: 88,
      total_tokens: 120,
      prompt_tokens_details: { cached_tokens: 8 },
    });
  });

  it('overloaded_error before any content: throws before the first chunk, mapped to 503', async () => {
    const iterator = translateStream(replaySseFixture('anthropic-overloaded-before-content.sse'), context);
    const failure = await iterator.next().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(APIError);
    const mapped = mapAnthropicError(failure, 'anthropic') as GatewayError;
    expect(mapped.status).toBe(503);
    expect(mapped.message).toBe('Overloaded');
  });

  it('error after content: chunks first, then the error', async () => {
    const chunks: ChatCompletionChunk[] = [];
    let failure: unknown;
    try {
      for await (const chunk of translateStream(replaySseFixture('anthropic-error-mid-stream.sse'), context))
        chunks.push(chunk);
    } catch (error) {
      failure = error;
    }
    expect(text(chunks)).toBe('Partial answer');
    expect((mapAnthropicError(failure, 'anthropic') as GatewayError).status).toBe(500);
  });

  it('a stream that ends before message_stop is a 502, not a silent success', async () => {
    await expect(collect(replaySseFixture('anthropic-truncated.sse'))).rejects.toMatchObject({ status: 502 });
  });

  it('a stream cut by the client abort rethrows the abort reason', async () => {
    const controller = new AbortController();
    const reason = new Error('client left');
    controller.abort(reason);
    await expect(
      collect(replaySseFixture('anthropic-truncated.sse'), { signal: controller.signal }),
    ).rejects.toBe(reason);
  });
});

describe('anthropicStreamToChunks (state machine)', () => {
  async function* events(...list: RawMessageStreamEvent[]): AsyncIterable<RawMessageStreamEvent[]> {
    yield list;
  }
  const start = {
    type: 'message_start',
    message: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'm',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 5, output_tokens: 1 },
    },
  } as unknown as RawMessageStreamEvent;
  const stop = (reason: string) =>
    [
      {
        type: 'message_delta',
        delta: { stop_reason: reason, stop_sequence: null },
        usage: { output_tokens: 4 },
      },
      { type: 'message_stop' },
    ] as unknown as RawMessageStreamEvent[];

  it.each([
    ['end_turn', 'stop'],
    ['max_tokens', 'length'],
    ['refusal', 'content_filter'],
    ['pause_turn', 'stop'],
  ])('empty answer with %s → role chunk, one finish %s, usage', async (reason, finish) => {
    const chunks = await collect(events(start, ...stop(reason)));
    expect(
      chunks.map((chunk) => (chunk.choices.length === 0 ? 'usage' : chunk.choices[0].finish_reason)),
    ).toEqual([null, finish, 'usage']);
  });

  it('structured-output tool streams its JSON as content with finish stop', async () => {
    const chunks = await collect(
      events(
        start,
        {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'tool_use', id: 't', name: 'json_response', input: {} },
        } as unknown as RawMessageStreamEvent,
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"a":' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '1}' } },
        { type: 'content_block_stop', index: 0 },
        ...stop('tool_use'),
      ),
      { structuredOutputTool: 'json_response' },
    );
    expect(text(chunks)).toBe('{"a":1}');
    expect(deltas(chunks).some((delta) => delta.tool_calls)).toBe(false);
    expect(finishes(chunks)).toEqual(['stop']);
  });

  it('uses the shared id and choice index for n > 1', async () => {
    const chunks = await collect(events(start, ...stop('end_turn')), {
      id: 'chatcmpl-shared',
      choiceIndex: 2,
    });
    expect(chunks.every((chunk) => chunk.id === 'chatcmpl-shared')).toBe(true);
    expect(
      chunks.filter((chunk) => chunk.choices.length > 0).every((chunk) => chunk.choices[0].index === 2),
    ).toBe(true);
  });
});
