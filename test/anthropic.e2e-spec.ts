import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { startGateway, type StartedGateway } from './support/gateway';
import { startAnthropicFake, type FakeReply, type MessagesBody } from './fakes/anthropic-upstream';
import { startFakeServer, type FakeServer } from './support/fake-server';
import { expectStalledAnswerToTimeOut } from './support/stalled-answer';

const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const MODEL = 'claude-sonnet-4-6';
const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('Claude through Iris (fake Anthropic upstream)', () => {
  let upstream: FakeServer;
  let iris: StartedGateway;
  let reply: ((body: MessagesBody) => FakeReply) | undefined;

  beforeAll(async () => {
    upstream = await startAnthropicFake({
      apiKey: 'test-key',
      reply: (body) => (reply ? reply(body) : defaultReply(body)),
      eventDelayMs: 0,
    });
    iris = await startGateway({
      env: {
        ANTHROPIC_BASE_URL: upstream.url,
        ANTHROPIC_API_KEY: 'test-key',
        IRIS_ALLOW_PRIVATE_IMAGE_HOSTS: 'true',
      },
    });
  });
  afterAll(async () => {
    await iris.close();
    await upstream.close();
  });
  beforeEach(() => {
    reply = undefined;
    upstream.requests.length = 0;
  });

  const lastBody = () => upstream.requests.at(-1)!.json as MessagesBody;

  it('text: system goes top-level, max_tokens defaulted, key in x-api-key only', async () => {
    const completion = await iris.client.chat.completions.create({
      model: MODEL,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe(MODEL);
    expect(completion.choices[0]).toMatchObject({
      index: 0,
      finish_reason: 'stop',
      message: { role: 'assistant', content: `Hello from ${MODEL}: 1 messages, 0 images.`, refusal: null },
    });
    expect(completion.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    const request = upstream.requests.at(-1)!;
    expect(request.headers['x-api-key']).toBe('test-key');
    expect(request.headers.authorization).toBeUndefined();
    expect(request.headers['anthropic-version']).toEqual(expect.any(String));
    expect(lastBody()).toMatchObject({
      model: MODEL,
      system: [{ type: 'text', text: 'Be brief.' }],
      max_tokens: 64000,
    });
  });

  it('text streamed: role first, one finish, usage chunk when asked', async () => {
    reply = () => ({
      kind: 'message',
      content: [{ type: 'text', text: 'Streaming works fine.' }],
      usage: { input_tokens: 7, output_tokens: 4 },
    });
    const stream = await iris.client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('')).toBe(
      'Streaming works fine.',
    );
    expect(
      chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).filter(Boolean),
    ).toEqual(['stop']);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 4, total_tokens: 11 });
  });

  it('image: data URI arrives as a base64 image block with the sniffed media type', async () => {
    const completion = await iris.client.chat.completions.create({
      model: MODEL,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}`, detail: 'low' } },
          ],
        },
      ],
    });
    expect(completion.choices[0].message.content).toContain('1 images');
    const block = (lastBody().messages[0].content as Array<Record<string, unknown>>)[1];
    expect(block).toMatchObject({ type: 'image', source: { type: 'base64', media_type: 'image/png' } });
    expect(block).not.toHaveProperty('detail');
  });

  it('multi-turn tools: parallel tool results in one user turn after the tool_use turn', async () => {
    reply = () => ({ kind: 'message', content: [{ type: 'text', text: 'Paris is sunny, Tokyo rainy.' }] });
    const completion = await iris.client.chat.completions.create({
      model: MODEL,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather in Paris and Tokyo?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'toolu_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
            {
              id: 'toolu_2',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: 'sunny' },
        { role: 'tool', tool_call_id: 'toolu_2', content: 'rainy' },
      ],
    });
    expect(completion.choices[0].message.content).toBe('Paris is sunny, Tokyo rainy.');
    expect(lastBody().messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(lastBody().messages[2].content).toEqual([
      { type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' },
      { type: 'tool_result', tool_use_id: 'toolu_2', content: 'rainy' },
    ]);
  });

  it('a tool result without its tool call is a 400 from Iris, not from upstream', async () => {
    const failure = await iris.client.chat.completions
      .create({
        model: MODEL,
        messages: [
          { role: 'user', content: 'q' },
          { role: 'tool', tool_call_id: 'nope', content: 'x' },
        ],
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect(upstream.requests).toHaveLength(0);
  });

  it('parallel tools streamed: tool_calls by index with ids, names and arguments', async () => {
    reply = () => ({
      kind: 'message',
      content: [
        { type: 'tool_use', id: 'toolu_A', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'toolu_B', name: 'get_weather', input: { city: 'Tokyo' } },
      ],
    });
    const stream = await iris.client.chat.completions.create({
      model: MODEL,
      tools: [weatherTool],
      messages: [{ role: 'user', content: 'both' }],
      stream: true,
    });
    const calls = new Map<number, { id?: string; name?: string; arguments: string }>();
    const finishes: string[] = [];
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        if (choice.finish_reason) finishes.push(choice.finish_reason);
        for (const call of choice.delta.tool_calls ?? []) {
          const entry = calls.get(call.index) ?? { arguments: '' };
          entry.id ??= call.id;
          entry.name ??= call.function?.name;
          entry.arguments += call.function?.arguments ?? '';
          calls.set(call.index, entry);
        }
      }
    }
    expect([...calls.entries()]).toEqual([
      [0, { id: 'toolu_A', name: 'get_weather', arguments: '{"city":"Paris"}' }],
      [1, { id: 'toolu_B', name: 'get_weather', arguments: '{"city":"Tokyo"}' }],
    ]);
    expect(finishes).toEqual(['tool_calls']);
  });

  it('thinking: reasoning_effort → budget, reasoning_content back', async () => {
    reply = () => ({
      kind: 'message',
      content: [
        { type: 'thinking', thinking: 'Let me add.', signature: 'sig' },
        { type: 'text', text: '4' },
      ],
    });
    const completion = await iris.client.chat.completions.create({
      model: MODEL,
      reasoning_effort: 'low',
      max_completion_tokens: 500,
      messages: [{ role: 'user', content: '2+2?' }],
    });
    expect(completion.choices[0].message.content).toBe('4');
    expect(
      (completion.choices[0].message as unknown as { reasoning_content?: string }).reasoning_content,
    ).toBe('Let me add.');
    expect(lastBody()).toMatchObject({
      thinking: { type: 'enabled', budget_tokens: 2048 },
      max_tokens: 2548,
    });
  });

  it.each([
    [400, 'invalid_request_error', 400, 'invalid_request_error'],
    [401, 'authentication_error', 401, 'authentication_error'],
    [403, 'permission_error', 403, 'permission_error'],
    [404, 'not_found_error', 404, 'invalid_request_error'],
    [413, 'request_too_large', 413, 'invalid_request_error'],
    [429, 'rate_limit_error', 429, 'rate_limit_error'],
    [500, 'api_error', 500, 'server_error'],
    [529, 'overloaded_error', 503, 'service_unavailable'],
  ])(
    'upstream %i %s → %i %s with the upstream message',
    async (status, type, expectedStatus, expectedType) => {
      reply = () => ({
        kind: 'error',
        status,
        type,
        message: `upstream ${type}`,
        headers: (status === 429 ? { 'retry-after': '12' } : {}) as Record<string, string>,
      });
      const failure = (await iris.client.chat.completions
        .create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] })
        .catch((error: unknown) => error)) as InstanceType<typeof OpenAI.APIError>;
      expect(failure).toBeInstanceOf(OpenAI.APIError);
      expect(failure.status).toBe(expectedStatus);
      expect(failure.type).toBe(expectedType);
      expect(failure.message).toContain(`upstream ${type}`);
      expect(failure.message).not.toContain('test-key');
      if (status === 429) expect(failure.headers?.get('retry-after')).toBe('12');
    },
  );

  it('overloaded_error in the stream before any content → HTTP 503', async () => {
    reply = () => ({
      kind: 'events',
      events: [
        {
          event: 'message_start',
          data: {
            type: 'message_start',
            message: {
              id: 'msg_x',
              type: 'message',
              role: 'assistant',
              model: MODEL,
              content: [],
              stop_reason: null,
              stop_sequence: null,
              usage: { input_tokens: 3, output_tokens: 1 },
            },
          },
        },
        { event: 'ping', data: { type: 'ping' } },
        {
          event: 'error',
          data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
        },
      ],
    });
    const failure = (await iris.client.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true })
      .then(async (stream) => {
        for await (const _ of stream) void _;
      })
      .catch((error: unknown) => error)) as InstanceType<typeof OpenAI.APIError>;
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect(failure.status).toBe(503);
  });

  it('error after content: the text arrives, then one error event', async () => {
    reply = () => ({
      kind: 'events',
      events: [
        {
          event: 'message_start',
          data: {
            type: 'message_start',
            message: {
              id: 'msg_y',
              type: 'message',
              role: 'assistant',
              model: MODEL,
              content: [],
              stop_reason: null,
              stop_sequence: null,
              usage: { input_tokens: 3, output_tokens: 1 },
            },
          },
        },
        {
          event: 'content_block_start',
          data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        },
        {
          event: 'content_block_delta',
          data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Partial' } },
        },
        {
          event: 'error',
          data: { type: 'error', error: { type: 'api_error', message: 'Internal server error' } },
        },
      ],
    });
    const stream = await iris.client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let text = '';
    const failure = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    })().catch((error: unknown) => error);
    expect(text).toBe('Partial');
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect(String((failure as Error).message)).toContain('Internal server error');
  });

  it('client disconnect closes the upstream connection within 100 ms', async () => {
    reply = () => ({ kind: 'message', content: [{ type: 'text', text: 'x'.repeat(7 * 200) }] });
    const slow = await startAnthropicFake({
      apiKey: 'test-key',
      reply: () => reply!({} as MessagesBody),
      eventDelayMs: 30,
    });
    const gateway = await startGateway({
      env: { ANTHROPIC_BASE_URL: slow.url, ANTHROPIC_API_KEY: 'test-key' },
    });
    try {
      const closed = slow.closedWhileAnswering();
      const stream = await gateway.client.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'long' }],
        stream: true,
      });
      let abortedAt = 0;
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta?.content) {
          abortedAt = Date.now();
          stream.controller.abort();
          break;
        }
      }
      const closedAt = await closed;
      expect(closedAt - abortedAt).toBeLessThan(100);
    } finally {
      await gateway.close();
      await slow.close();
    }
  });

  it('an answer whose body stalls after its headers → 504 after the timeout, and the upstream request is closed', () =>
    expectStalledAnswerToTimeOut({
      start: (response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_stall' });
        response.write('{"id":"msg_stall","type":"message","role":"assistant",');
      },
      env: (url) => ({ ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: 'test-key' }),
      model: MODEL,
    }));

  it('a stream that goes silent longer than the timeout ends with a timeout error and closes the upstream; pings count as life', async () => {
    const events = (names: string[]) =>
      names
        .map((name) => `event: ${name.split(':')[0]}\ndata: ${name.split(':').slice(1).join(':')}\n\n`)
        .join('');
    const silent = await startFakeServer(async (_request, response) => {
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
      });
      response.write(
        events([
          'message_start:{"type":"message_start","message":{"id":"msg_silent","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":11,"output_tokens":1}}}',
          'content_block_start:{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
          'content_block_delta:{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}',
        ]),
      );
      // Pings for longer than the timeout (Claude sends them while it thinks), then silence.
      for (let ping = 0; ping < 5 && !response.destroyed; ping++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        response.write(events(['ping:{"type": "ping"}']));
      }
    });
    const gateway = await startGateway({
      env: { ANTHROPIC_BASE_URL: silent.url, ANTHROPIC_API_KEY: 'test-key', IRIS_UPSTREAM_TIMEOUT_MS: '300' },
    });
    try {
      const closed = silent.closedWhileAnswering();
      const startedAt = Date.now();
      const stream = await gateway.client.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'think' }],
        stream: true,
      });
      let text = '';
      const failure = await (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      })().catch((error: unknown) => error);
      expect(text).toBe('Hello');
      expect(failure).toBeInstanceOf(OpenAI.APIError);
      expect(failure).toMatchObject({ type: 'timeout', code: 'upstream_timeout' });
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(700);
      await expect(closed).resolves.toEqual(expect.any(Number));
    } finally {
      await gateway.close();
      await silent.close();
    }
  });

  it('parameters without a Claude equivalent are named in x-iris-dropped-params', async () => {
    const { response } = await iris.client.chat.completions
      .create({
        model: MODEL,
        messages: [{ role: 'user', content: 'hi' }],
        seed: 1,
        logit_bias: { '1': 2 },
        presence_penalty: 0.5,
      })
      .withResponse();
    const dropped = (response.headers.get('x-iris-dropped-params') ?? '')
      .split(',')
      .map((name) => name.trim());
    expect(dropped.sort()).toEqual(['logit_bias', 'presence_penalty', 'seed']);
    expect(lastBody()).not.toHaveProperty('seed');
  });

  it('n = 2 → two parallel upstream calls merged into two choices, usage summed', async () => {
    const completion = await iris.client.chat.completions.create({
      model: MODEL,
      n: 2,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.choices.map((choice) => choice.index)).toEqual([0, 1]);
    expect(completion.usage?.total_tokens).toBe(30);
    expect(upstream.requests).toHaveLength(2);
  });

  it('temperature above 1 is clamped to Claude’s 0..1', async () => {
    await iris.client.chat.completions.create({
      model: MODEL,
      temperature: 1.5,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(lastBody().temperature).toBe(1);
  });
});

function defaultReply(body: MessagesBody): FakeReply {
  let images = 0;
  for (const message of body.messages)
    if (Array.isArray(message.content))
      images += message.content.filter((block) => block.type === 'image').length;
  return {
    kind: 'message',
    content: [
      { type: 'text', text: `Hello from ${body.model}: ${body.messages.length} messages, ${images} images.` },
    ],
  };
}
