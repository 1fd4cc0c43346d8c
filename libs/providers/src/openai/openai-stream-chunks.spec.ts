import { APIError } from 'openai';
import { Stream } from 'openai/core/streaming';
import { GatewayError, type ChatCompletionChunk } from '@app/core';
import { eventStreamResponse } from '../__fixtures__/event-stream-response';
import { openAiStreamChunks } from './openai-stream-chunks';

/** A chunk as OpenAI sends it (see chat.completion.chunk in ../shared/vendor-specs/openai.schemas.json). */
function chunk(
  delta: ChatCompletionChunk.Choice.Delta,
  finishReason: ChatCompletionChunk.Choice['finish_reason'] = null,
): ChatCompletionChunk {
  return {
    id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
    object: 'chat.completion.chunk',
    created: 1741569952,
    model: 'gpt-4o-2024-08-06',
    system_fingerprint: 'fp_eb9dce56a8',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

const data = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`;
const ANSWER = [
  chunk({ role: 'assistant', content: '', refusal: null }),
  chunk({ content: 'Hello' }),
  chunk({ content: ' wörld 👋' }),
  chunk({}, 'stop'),
];
const USAGE = {
  ...chunk({}),
  choices: [],
  usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 },
};
const BASIC = ANSWER.map(data).join('') + 'data: [DONE]\n\n';

interface Outcome {
  chunks: ChatCompletionChunk[];
  error?: { status: unknown; error: unknown; message: string };
}

async function drain(iterable: AsyncIterable<ChatCompletionChunk>): Promise<Outcome> {
  const chunks: ChatCompletionChunk[] = [];
  try {
    for await (const item of iterable) chunks.push(item);
    return { chunks };
  } catch (error) {
    if (!(error instanceof APIError)) throw error;
    return { chunks, error: { status: error.status, error: error.error, message: error.message } };
  }
}

async function* flatten(text: string, readBytes?: number): AsyncGenerator<ChatCompletionChunk> {
  for await (const batch of openAiStreamChunks(eventStreamResponse(text, readBytes))) yield* batch;
}

/** The SDK's own reading of the same bytes: what the gateway's reader must match. */
function sdkChunks(text: string): AsyncIterable<ChatCompletionChunk> {
  return Stream.fromSSEResponse<ChatCompletionChunk>(eventStreamResponse(text), new AbortController());
}

async function batchesOf(text: string): Promise<{ batches: ChatCompletionChunk[][]; failure?: unknown }> {
  const batches: ChatCompletionChunk[][] = [];
  try {
    for await (const batch of openAiStreamChunks(eventStreamResponse(text))) batches.push(batch);
    return { batches };
  } catch (failure) {
    return { batches, failure };
  }
}

describe('openAiStreamChunks', () => {
  it.each([
    ['a plain answer', BASIC],
    ['an answer with a usage chunk', ANSWER.map(data).join('') + data(USAGE) + 'data: [DONE]\n\n'],
    [
      'CRLF line ends, keep-alive comments and a chunk split over two data lines',
      (': OPENROUTER PROCESSING\r\n\r\n' + ANSWER.map(data).join('') + 'data: [DONE]\r\n\r\n')
        .replace('"delta":', '\ndata: "delta":')
        .replace(/\n/g, '\r\n'),
    ],
    ['anything after [DONE] (ignored)', BASIC + 'data: not json\n\n' + data(chunk({ content: 'late' }))],
    [
      'an error inside the stream',
      data(ANSWER[0]) +
        data(ANSWER[1]) +
        data({
          error: { message: 'The server had an error', type: 'server_error', param: null, code: null },
        }),
    ],
  ])('%s: the same chunks and error as the SDK, in one read and in 5-byte reads', async (_name, text) => {
    const expected = await drain(sdkChunks(text));
    expect(expected.chunks.length).toBeGreaterThan(0);
    expect(await drain(flatten(text))).toEqual(expected);
    expect(await drain(flatten(text, 5))).toEqual(expected);
  });

  it('gives every chunk of one read in one batch', async () => {
    const { batches, failure } = await batchesOf(BASIC);
    expect(failure).toBeUndefined();
    expect(batches).toEqual([ANSWER]);
  });

  it('hands on the chunks before an error in the same read, then throws it as a status-less APIError', async () => {
    const text =
      data(ANSWER[0]) + data({ error: { message: 'overloaded', type: 'server_error', code: 'overloaded' } });
    const { batches, failure } = await batchesOf(text);
    expect(batches).toEqual([[ANSWER[0]]]);
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).status).toBeUndefined();
    expect((failure as APIError).code).toBe('overloaded');
  });

  it('data that is not JSON is an error, after the chunks before it', async () => {
    const { batches, failure } = await batchesOf(data(ANSWER[0]) + 'data: {"id": \n\n');
    expect(batches).toEqual([[ANSWER[0]]]);
    expect(failure).toBeInstanceOf(SyntaxError);
  });

  it('a body cut off before [DONE] and before any finish reason is a 502, not a quiet end', async () => {
    const cut = ANSWER.slice(0, 2).map(data).join('');
    const { batches, failure } = await batchesOf(cut);
    expect(batches).toEqual([ANSWER.slice(0, 2)]);
    expect(failure).toBeInstanceOf(GatewayError);
    expect(failure).toMatchObject({ status: 502, code: 'upstream_stream_truncated' });
  });

  it('a server that finishes every choice but sends no [DONE] ends normally', async () => {
    const { batches, failure } = await batchesOf(ANSWER.map(data).join(''));
    expect(failure).toBeUndefined();
    expect(batches.flat()).toEqual(ANSWER);
  });
});
