import { ApiError } from '@google/genai';
import { GatewayError, type ChatCompletionChunk } from '@app/core';
import type { GenerateContentResponse } from '@google/genai';
import { replayStreamBody, replayStreamFixture, sseBodyOf } from './__fixtures__/replay-gemini-fixture';
import { createGeminiChunkTranslator, type StreamContext } from './gemini-stream-to-chunks';
import { thoughtSignatureOfToolCallId } from './tool-call-id';

/** Translates batches of events as the adapter does, collecting the chunks in `received` as they come. */
async function translateStream(
  batches: AsyncIterable<GenerateContentResponse[]>,
  context: StreamContext = { model: 'm' },
  received: ChatCompletionChunk[] = [],
): Promise<ChatCompletionChunk[]> {
  const translator = createGeminiChunkTranslator(context);
  for await (const events of batches) received.push(...translator.translate(events));
  received.push(...translator.finish());
  return received;
}

async function collect(name: string, onUnmapped?: (reason: string) => void): Promise<ChatCompletionChunk[]> {
  return translateStream(replayStreamFixture(name), { model: 'm', onUnmappedFinishReason: onUnmapped });
}

type LooseDelta = { role?: string; content?: string; reasoning_content?: string; tool_calls?: unknown[] };
const deltas = (chunks: ChatCompletionChunk[]) =>
  chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta as LooseDelta));
const textOf = (chunks: ChatCompletionChunk[]) =>
  deltas(chunks)
    .map((delta) => delta.content ?? '')
    .join('');

describe('createGeminiChunkTranslator (recorded streams, read as production reads them)', () => {
  it('text stream: role first, every text delta, one finish, one usage chunk from the LAST usageMetadata', async () => {
    const chunks = await collect('gemini-text.stream.jsonl');
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(textOf(chunks)).toMatch(/^The sky is blue due to a phenomenon called \*\*Rayleigh scattering\*\*/);
    expect(textOf(chunks)).toMatch(/blue intensity or even a hazy appearance\.$/);
    const finishes = chunks.flatMap((chunk) =>
      chunk.choices.filter((choice) => choice.finish_reason !== null),
    );
    expect(finishes.map((choice) => choice.finish_reason)).toEqual(['stop']);
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 6, completion_tokens: 377, total_tokens: 383 });
    expect(new Set(chunks.map((chunk) => chunk.id))).toEqual(new Set(['chatcmpl-pdSfaOurIPqAm9IPucqbqA4']));
    expect(new Set(chunks.map((chunk) => chunk.created)).size).toBe(1);
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.model === 'm')).toBe(
      true,
    );
  });

  it('function call stream: whole tool call with index 0, finish tool_calls although Gemini said STOP', async () => {
    const chunks = await collect('gemini-function-call.stream.jsonl');
    const toolDeltas = deltas(chunks).filter((delta) => delta.tool_calls);
    expect(toolDeltas).toHaveLength(1);
    expect(toolDeltas[0].tool_calls).toEqual([
      {
        index: 0,
        id: expect.stringMatching(/^call_[a-f0-9]{24}$/),
        type: 'function',
        function: { name: 'customDivide', arguments: '{"denominator":2,"numerator":100}' },
      },
    ]);
    expect(chunks.at(-2)!.choices[0].finish_reason).toBe('tool_calls');
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 21, completion_tokens: 6, total_tokens: 27 });
  });

  it('parallel calls across events + text in the same event; thought signature rides in the id', async () => {
    const chunks = await collect('gemini-parallel-tools.stream.jsonl');
    const all = deltas(chunks);
    expect(all[1]).toEqual({ content: 'Checking both cities.' });
    const calls = all
      .filter((delta) => delta.tool_calls)
      .map((delta) => delta.tool_calls![0] as { index: number; id: string; function: { arguments: string } });
    expect(calls.map((call) => [call.index, call.function.arguments])).toEqual([
      [0, '{"city":"Paris"}'],
      [1, '{"city":"Rome"}'],
    ]);
    expect(thoughtSignatureOfToolCallId(calls[0].id)).toBe('CiQBjz1rX8wzAbCdEfGh/+==');
    expect(thoughtSignatureOfToolCallId(calls[1].id)).toBeUndefined();
    expect(chunks.at(-2)!.choices[0].finish_reason).toBe('tool_calls');
    expect(chunks.at(-1)!.usage).toEqual({
      prompt_tokens: 40,
      completion_tokens: 85,
      total_tokens: 125,
      completion_tokens_details: { reasoning_tokens: 55 },
    });
  });

  it('thought parts → reasoning_content; the empty signature-only part yields nothing', async () => {
    const chunks = await collect('gemini-thinking.stream.jsonl');
    expect(deltas(chunks)).toEqual([
      { role: 'assistant', content: '' },
      { reasoning_content: '**Considering the question**\n\nThe user asks for 2+2.' },
      { content: '4' },
      {},
    ]);
  });

  it('safety finish → content_filter', async () => {
    const chunks = await collect('gemini-safety.stream.jsonl');
    expect(textOf(chunks)).toBe('Here is how');
    expect(chunks.at(-2)!.choices[0].finish_reason).toBe('content_filter');
  });

  it('two candidates → two choices, each with its own finish reason, finishes in index order', async () => {
    const chunks = await collect('gemini-two-candidates.stream.jsonl');
    const byIndex = (index: number) =>
      chunks.flatMap((chunk) => chunk.choices.filter((choice) => choice.index === index));
    expect(
      byIndex(0)
        .map((choice) => choice.delta.content ?? '')
        .join(''),
    ).toBe('Hello!');
    expect(
      byIndex(1)
        .map((choice) => choice.delta.content ?? '')
        .join(''),
    ).toBe('Hi there');
    expect(byIndex(0).at(-1)!.finish_reason).toBe('stop');
    expect(byIndex(1).at(-1)!.finish_reason).toBe('length');
  });

  it('blocked prompt in the first event → 400 content_filter before any chunk', async () => {
    const received: ChatCompletionChunk[] = [];
    await expect(
      translateStream(
        replayStreamBody(
          'data: {"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":3}}\r\n\r\n',
        ),
        { model: 'm' },
        received,
      ),
    ).rejects.toMatchObject({ status: 400, code: 'content_filter' });
    expect(received).toEqual([]);
  });

  it('an error event mid-stream surfaces as the SDK ApiError after the chunks before it', async () => {
    const body =
      'data: {"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"}}]}\r\n\r\ndata: {"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}\r\n\r\n';
    const received: ChatCompletionChunk[] = [];
    const caught = await translateStream(replayStreamBody(body), { model: 'm' }, received).catch(
      (error: unknown) => error,
    );
    expect(caught).toBeInstanceOf(ApiError);
    expect((caught as ApiError).status).toBe(503);
    expect(textOf(received)).toBe('Hi');
  });

  it('unknown finish reasons become stop and are reported for logging', async () => {
    const body =
      'data: {"candidates":[{"content":{"parts":[{"text":"x"}],"role":"model"},"finishReason":"LANGUAGE"}]}\r\n\r\n';
    const unmapped: string[] = [];
    const chunks = await translateStream(replayStreamBody(body), {
      model: 'm',
      onUnmappedFinishReason: (reason) => unmapped.push(reason),
    });
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('stop');
    expect(unmapped).toEqual(['LANGUAGE']);
  });

  it('an empty stream is a 502, not an empty success', async () => {
    const translator = createGeminiChunkTranslator({ model: 'm' });
    expect(() => translator.finish()).toThrow(GatewayError);
  });

  it('a stream cut off before a choice got its finishReason is a 502, after the chunks it had', async () => {
    const cut = sseBodyOf('gemini-two-candidates.stream.jsonl')
      .split('\r\n\r\n')
      .filter((event) => event.length > 0 && !event.includes('"finishReason"'))
      .map((event) => `${event}\r\n\r\n`)
      .join('');
    const received: ChatCompletionChunk[] = [];
    const caught = await translateStream(replayStreamBody(cut), { model: 'm' }, received).catch(
      (error: unknown) => error,
    );
    expect(caught).toBeInstanceOf(GatewayError);
    expect(caught).toMatchObject({ status: 502, code: 'upstream_stream_truncated' });
    expect(textOf(received).length).toBeGreaterThan(0);
    expect(received.some((chunk) => chunk.choices.some((choice) => choice.finish_reason !== null))).toBe(
      false,
    );
  });
});
