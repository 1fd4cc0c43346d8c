import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { accumulateResponse } from 'openai/lib/responses/ResponseAccumulator';
import type { ChatCompletionChunk } from '../openai-types';
import { GatewayError } from '../gateway-error';
import { chatChunksToResponseEvents } from './chat-chunks-to-response-events';
import { convertResponsesRequest } from './convert-responses-request';
import { sequentialResponseIds } from './response-ids';
import { createResponseSkeleton } from './response-skeleton';
import type { Response, ResponseStreamEvent } from './responses-types';

/** Jest runs from the repository root (specs run as ES modules: no __dirname). */
const FIXTURES = join(process.cwd(), 'libs/core/src/responses/__fixtures__');

function fixture(name: string): ChatCompletionChunk[] {
  return readFileSync(join(FIXTURES, `chunks-${name}.jsonl`), 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as ChatCompletionChunk);
}

async function* replay(
  chunks: ChatCompletionChunk[],
  failWith?: unknown,
): AsyncGenerator<ChatCompletionChunk> {
  for (const chunk of chunks) yield chunk;
  if (failWith) throw failWith;
}

const skeleton = (extra: Record<string, unknown> = {}): Response =>
  createResponseSkeleton(
    { id: 'resp_test', createdAt: 1700000000, model: 'my-model' },
    convertResponsesRequest({ model: 'my-model', input: 'hi', ...extra }).echo,
  );

async function translate(
  chunks: ChatCompletionChunk[],
  failWith?: unknown,
  request: Record<string, unknown> = {},
): Promise<ResponseStreamEvent[]> {
  const events: ResponseStreamEvent[] = [];
  const generator = chatChunksToResponseEvents(replay(chunks, failWith), skeleton(request), {
    ids: sequentialResponseIds(),
    now: () => 1700000009,
  });
  for await (const event of generator) events.push(event);
  return events;
}

const types = (events: ResponseStreamEvent[]) => events.map((event) => event.type);
const finalResponse = (events: ResponseStreamEvent[]): Response => {
  const last = events[events.length - 1];
  if (last.type !== 'response.completed' && last.type !== 'response.incomplete')
    throw new Error(`ended with ${last.type}`);
  return last.response;
};

describe('chatChunksToResponseEvents', () => {
  it('streams text as message item, content part, deltas and done events, then response.completed', async () => {
    const events = await translate(fixture('text'));
    expect(types(events)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.find((event) => event.type === 'response.output_text.done')).toMatchObject({
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      text: 'Hello, world',
    });
    const response = finalResponse(events);
    expect(response).toMatchObject({
      id: 'resp_test',
      status: 'completed',
      completed_at: 1700000009,
      model: 'my-model',
      output_text: 'Hello, world',
      usage: {
        input_tokens: 12,
        output_tokens: 5,
        total_tokens: 17,
        input_tokens_details: { cached_tokens: 4 },
      },
    });
    expect(response.output).toEqual([
      {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: 'Hello, world', annotations: [], logprobs: [] }],
      },
    ]);
  });

  it.each(['text', 'tool-calls', 'reasoning-then-text', 'length', 'text-then-tool-call', 'refusal'])(
    'numbers every event of %s in order from 0',
    async (name) => {
      const events = await translate(fixture(name));
      expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    },
  );

  it.each(['text', 'tool-calls', 'reasoning-then-text', 'length', 'text-then-tool-call', 'refusal'])(
    'lets the official SDK accumulator rebuild the final response of %s from the events',
    async (name) => {
      const events = await translate(fixture(name));
      let snapshot: Response | undefined;
      for (const event of events.slice(0, -1)) snapshot = accumulateResponse(event, snapshot);
      const final = finalResponse(events);
      expect(snapshot?.output).toEqual(final.output);
      expect(snapshot?.output_text).toEqual(final.output_text);
    },
  );

  it('streams tool calls as function_call items with argument deltas, closed at the finish', async () => {
    const events = await translate(fixture('tool-calls'));
    expect(types(events).slice(2)).toEqual([
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(finalResponse(events).output).toEqual([
      {
        id: 'fc_1',
        type: 'function_call',
        call_id: 'call_weather',
        name: 'get_weather',
        arguments: '{"city":"Paris"}',
        status: 'completed',
      },
      {
        id: 'fc_2',
        type: 'function_call',
        call_id: 'call_time',
        name: 'get_time',
        arguments: '{}',
        status: 'completed',
      },
    ]);
    expect(finalResponse(events).output_text).toBe('');
  });

  it('emits reasoning_content as a reasoning item with reasoning_text events before the message', async () => {
    const events = await translate(fixture('reasoning-then-text'));
    expect(types(events).slice(2, 10)).toEqual([
      'response.output_item.added',
      'response.content_part.added',
      'response.reasoning_text.delta',
      'response.reasoning_text.delta',
      'response.reasoning_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
    ]);
    const response = finalResponse(events);
    expect(response.output[0]).toEqual({
      id: 'rs_1',
      type: 'reasoning',
      summary: [],
      content: [{ type: 'reasoning_text', text: 'The user greets. Answer politely.' }],
      status: 'completed',
    });
    expect(response.output_text).toBe('Hi there!');
    expect(response.usage?.output_tokens_details.reasoning_tokens).toBe(30);
  });

  it('streams reasoning as a summary part when the client asked for reasoning.summary', async () => {
    const summaryRequest = { reasoning: { summary: 'auto' } };
    const events = await translate(fixture('reasoning-then-text'), undefined, summaryRequest);
    expect(types(events).slice(2, 9)).toEqual([
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
    ]);
    const response = finalResponse(events);
    expect(response.output[0]).toEqual({
      id: 'rs_1',
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: 'The user greets. Answer politely.' }],
      status: 'completed',
    });
    let snapshot: Response | undefined;
    for (const event of events.slice(0, -1)) snapshot = accumulateResponse(event, snapshot);
    expect(snapshot?.output).toEqual(response.output);
  });

  it('ends a response cut by max tokens with response.incomplete and incomplete items', async () => {
    const events = await translate(fixture('length'));
    const response = finalResponse(events);
    expect(events[events.length - 1].type).toBe('response.incomplete');
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(response.completed_at).toBeNull();
    expect(response.output[0]).toMatchObject({ type: 'message', status: 'incomplete' });
  });

  it('closes the message before a tool call that follows text', async () => {
    const events = await translate(fixture('text-then-tool-call'));
    const output = finalResponse(events).output;
    expect(output.map((item) => item.type)).toEqual(['message', 'function_call']);
    const messageDone = events.findIndex((event) => event.type === 'response.output_item.done');
    const callAdded = events.findIndex(
      (event) => event.type === 'response.output_item.added' && event.item.type === 'function_call',
    );
    expect(messageDone).toBeLessThan(callAdded);
  });

  it('streams a refusal as a refusal content part', async () => {
    const events = await translate(fixture('refusal'));
    expect(types(events)).toContain('response.refusal.delta');
    expect(events.find((event) => event.type === 'response.refusal.done')).toMatchObject({
      refusal: "I can't help with that.",
    });
    expect(finalResponse(events).output[0]).toMatchObject({
      content: [{ type: 'refusal', refusal: "I can't help with that." }],
    });
  });

  it('opens a tool call only once its name is known, keeping the arguments that came before', async () => {
    const chunk = (toolCall: object, finish: 'tool_calls' | null = null): ChatCompletionChunk => ({
      id: 'x',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      choices: [{ index: 0, delta: { tool_calls: [{ index: 0, ...toolCall }] }, finish_reason: finish }],
    });
    const events = await translate([
      chunk({ id: 'call_9', function: { arguments: '{"a"' } }),
      chunk({ function: { name: 'late', arguments: ':1}' } }),
      {
        id: 'x',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'm',
        choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }],
      },
    ]);
    expect(finalResponse(events).output).toEqual([
      {
        id: 'fc_1',
        type: 'function_call',
        call_id: 'call_9',
        name: 'late',
        arguments: '{"a":1}',
        status: 'completed',
      },
    ]);
  });

  it('turns a GatewayError after the start into one error event and ends', async () => {
    const failure = new GatewayError(503, 'Upstream overloaded.', { code: 'overloaded' });
    const events = await translate(fixture('text').slice(0, 2), failure);
    expect(events[events.length - 1]).toEqual({
      type: 'error',
      sequence_number: events.length - 1,
      code: 'overloaded',
      message: 'Upstream overloaded.',
      param: null,
    });
    expect(types(events)).not.toContain('response.completed');
  });

  it('hides the internals of an unexpected error', async () => {
    const events = await translate([], new TypeError('secret internals'));
    expect(events[events.length - 1]).toMatchObject({
      type: 'error',
      code: 'server_error',
      message: 'The upstream stream failed.',
    });
  });

  it('stops reading the chunks when the consumer stops', async () => {
    let returned = false;
    async function* chunks(): AsyncGenerator<ChatCompletionChunk> {
      try {
        for (const chunk of fixture('text')) yield chunk;
      } finally {
        returned = true;
      }
    }
    const generator = chatChunksToResponseEvents(chunks(), skeleton(), {
      ids: sequentialResponseIds(),
      now: () => 0,
    });
    for await (const event of generator) if (event.type === 'response.output_text.delta') break;
    expect(returned).toBe(true);
  });
});
