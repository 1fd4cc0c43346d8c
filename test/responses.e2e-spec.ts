import type { ServerResponse } from 'node:http';
import { APIError } from 'openai';
import type { ResponseInputItem, ResponseStreamEvent } from 'openai/resources/responses/responses';
import sharp from 'sharp';
import { schemaErrors } from '../libs/core/src/responses/testing/check-openai-schema';
import { startAnthropicFake, type FakeReply, type MessagesBody } from './fakes/anthropic-upstream';
import {
  startGeminiUpstream,
  type GeminiCall,
  type GeminiReply,
  type GeminiUpstream,
} from './fakes/gemini-upstream';
import { countImages, startOpenAiFake, type ChatBody } from './fakes/openai-upstream';
import {
  startFakeServer,
  writeJson,
  writeSse,
  type FakeServer,
  type RecordedRequest,
} from './support/fake-server';
import { startGateway, type StartedGateway } from './support/gateway';

/**
 * `POST /v1/responses` end to end: the official SDK's `client.responses.create` / `.stream` → Iris → the
 * fake OpenAI-compatible, Claude and Gemini upstreams (each validating its vendor's wire format). Every
 * Response object and stream event is checked against the OpenAI OpenAPI schemas.
 */

/** What one scripted upstream turn answers. */
type Script = { text: string } | { toolCall: { name: string; arguments: Record<string, unknown> } };

/** One backend as the tests drive it: script the next answer, read what the upstream received. */
interface Backend {
  name: string;
  model: string;
  script(next: Script): void;
  lastBody(): unknown;
  imagesInLastRequest(): number;
  structuredOutputRequested(body: unknown): boolean;
}

let openAi: FakeServer;
let anthropic: FakeServer;
let gemini: GeminiUpstream;
let images: FakeServer;
let iris: StartedGateway;
let png: Buffer;
let pngDataUri: string;

// ---------------------------------------------------------------- OpenAI-compatible wire format
let openAiScript: Script = { text: 'ok' };

function writeOpenAi(body: ChatBody, response: ServerResponse): Promise<void> | void {
  const base = { id: 'chatcmpl-r1', created: 1700000000, model: body.model, system_fingerprint: 'fp_fake' };
  const usage = {
    prompt_tokens: 21,
    completion_tokens: 9,
    total_tokens: 30,
    prompt_tokens_details: { cached_tokens: 3 },
  };
  const script = openAiScript;
  const toolCall = 'toolCall' in script ? script.toolCall : undefined;
  const finishReason = toolCall ? 'tool_calls' : 'stop';
  if (!body.stream) {
    const message = toolCall
      ? {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: [
            {
              id: 'call_openai_1',
              type: 'function',
              function: { name: toolCall.name, arguments: JSON.stringify(toolCall.arguments) },
            },
          ],
        }
      : { role: 'assistant', content: 'text' in script ? script.text : '', refusal: null, annotations: [] };
    return writeJson(response, 200, {
      ...base,
      object: 'chat.completion',
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
      usage,
    });
  }
  const chunk = (delta: unknown, finish: string | null = null) => ({
    data: {
      ...base,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    },
  });
  const events: Array<{ data: unknown }> = [
    chunk({ role: 'assistant', content: toolCall ? null : '', refusal: null }),
  ];
  if (toolCall) {
    const json = JSON.stringify(toolCall.arguments);
    events.push(
      chunk({
        tool_calls: [
          {
            index: 0,
            id: 'call_openai_1',
            type: 'function',
            function: { name: toolCall.name, arguments: '' },
          },
        ],
      }),
    );
    events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: json.slice(0, 5) } }] }));
    events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: json.slice(5) } }] }));
  } else if ('text' in script) {
    for (const word of script.text.split(/(?<= )/)) events.push(chunk({ content: word }));
  }
  events.push(chunk({}, finishReason));
  if (body.stream_options?.include_usage)
    events.push({ data: { ...base, object: 'chat.completion.chunk', choices: [], usage } });
  events.push({ data: '[DONE]' });
  return writeSse(response, events);
}

// ---------------------------------------------------------------- Claude wire format
let anthropicScript: Script = { text: 'ok' };

function anthropicReply(): FakeReply {
  const script = anthropicScript;
  if ('toolCall' in script) {
    return {
      kind: 'message',
      content: [
        { type: 'tool_use', id: 'toolu_01', name: script.toolCall.name, input: script.toolCall.arguments },
      ],
    };
  }
  return {
    kind: 'message',
    content: [{ type: 'text', text: script.text }],
    usage: { input_tokens: 21, output_tokens: 9 },
  };
}

// ---------------------------------------------------------------- Gemini wire format
function geminiReply(script: Script) {
  return (call: GeminiCall): GeminiReply => {
    const usageMetadata = { promptTokenCount: 21, candidatesTokenCount: 9, totalTokenCount: 30 };
    const event = (parts: unknown[], finish?: string, usage?: unknown) => ({
      candidates: [{ content: { role: 'model', parts }, index: 0, ...(finish && { finishReason: finish }) }],
      modelVersion: 'gemini-2.0-flash',
      responseId: 'resp-gemini',
      ...(usage ? { usageMetadata: usage } : {}),
    });
    const parts =
      'toolCall' in script
        ? [{ functionCall: { name: script.toolCall.name, args: script.toolCall.arguments } }]
        : [{ text: script.text }];
    if (!call.stream) return { kind: 'json', body: event(parts, 'STOP', usageMetadata) };
    if ('toolCall' in script) return { kind: 'stream', events: [event(parts, 'STOP', usageMetadata)] };
    const words = script.text.split(/(?<= )/);
    return {
      kind: 'stream',
      events: words.map((word, index) =>
        event([{ text: word }], index === words.length - 1 ? 'STOP' : undefined, usageMetadata),
      ),
    };
  };
}

type Json = Record<string, unknown>;
const lastJson = (server: FakeServer): unknown => server.requests[server.requests.length - 1]?.json;

const BACKENDS: Backend[] = [
  {
    name: 'OpenAI-compatible',
    model: 'gpt-4o-mini',
    script: (next) => (openAiScript = next),
    lastBody: () => lastJson(openAi),
    imagesInLastRequest: () => countImages(lastJson(openAi) as ChatBody),
    structuredOutputRequested: (body) =>
      ((body as Json).response_format as Json | undefined)?.type === 'json_schema',
  },
  {
    name: 'Claude',
    model: 'claude-sonnet-4-6',
    script: (next) => (anthropicScript = next),
    lastBody: () => lastJson(anthropic),
    imagesInLastRequest: () =>
      (lastJson(anthropic) as MessagesBody).messages
        .flatMap((message) => (Array.isArray(message.content) ? message.content : []))
        .filter((block) => block.type === 'image').length,
    structuredOutputRequested: (body) =>
      ((body as Json).output_config as { format?: Json } | undefined)?.format?.type === 'json_schema',
  },
  {
    name: 'Gemini',
    model: 'gemini-2.0-flash',
    script: (next) => gemini.reply(geminiReply(next)),
    lastBody: () => gemini.calls[gemini.calls.length - 1]?.body,
    imagesInLastRequest: () => {
      const body = gemini.calls[gemini.calls.length - 1]?.body as { contents: Array<{ parts: Json[] }> };
      return body.contents
        .flatMap((content) => content.parts)
        .filter((part) => part.inlineData || part.fileData).length;
    },
    structuredOutputRequested: (body) => {
      const config = (body as Json).generationConfig as Json | undefined;
      return (
        config?.responseMimeType === 'application/json' &&
        (config.responseJsonSchema ?? config.responseSchema) !== undefined
      );
    },
  },
];

beforeAll(async () => {
  png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 10, g: 120, b: 200 } } })
    .png()
    .toBuffer();
  pngDataUri = `data:image/png;base64,${png.toString('base64')}`;
  openAi = await startOpenAiFake({ apiKey: 'sk-upstream' });
  openAi.setHandler((request: RecordedRequest, response) => {
    if (request.headers.authorization !== 'Bearer sk-upstream')
      return writeJson(response, 401, { error: { message: 'bad key' } });
    return writeOpenAi(request.json as ChatBody, response);
  });
  anthropic = await startAnthropicFake({ apiKey: 'test-anthropic-key', reply: anthropicReply });
  gemini = await startGeminiUpstream({ apiKey: 'test-gemini-key' });
  images = await startFakeServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'image/png', 'content-length': String(png.length) });
    response.end(png);
  });
  iris = await startGateway({
    env: {
      OPENAI_BASE_URL: `${openAi.url}/v1`,
      OPENAI_API_KEY: 'sk-upstream',
      ANTHROPIC_BASE_URL: anthropic.url,
      ANTHROPIC_API_KEY: 'test-anthropic-key',
      GEMINI_BASE_URL: gemini.url,
      GEMINI_API_KEY: 'test-gemini-key',
      IRIS_ALLOW_PRIVATE_IMAGE_HOSTS: 'true',
    },
  });
});

afterAll(async () => {
  await iris.close();
  await Promise.all([openAi.close(), anthropic.close(), gemini.close(), images.close()]);
});

afterEach(() => {
  // The Gemini fake validates against the proto files; nothing Iris sends may be rejected.
  expect(gemini.rejected).toEqual([]);
});

const WEATHER_TOOL = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
  strict: true,
};

async function collect(stream: AsyncIterable<ResponseStreamEvent>): Promise<ResponseStreamEvent[]> {
  const events: ResponseStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

function expectValidEvents(events: ResponseStreamEvent[]): void {
  expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
  for (const event of events)
    expect({ type: event.type, errors: schemaErrors(event, 'ResponseStreamEvent') }).toEqual({
      type: event.type,
      errors: [],
    });
}

describe.each(BACKENDS)('/v1/responses through Iris to the $name fake', (backend) => {
  it('answers a multimodal request (instructions, text, a data-URI image and an image URL with detail)', async () => {
    backend.script({ text: 'Two blue squares.' });
    const response = await iris.client.responses.create({
      model: backend.model,
      instructions: 'Describe images briefly.',
      max_output_tokens: 200,
      temperature: 0.5,
      metadata: { suite: 'e2e' },
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What do you see?' },
            { type: 'input_image', image_url: pngDataUri, detail: 'low' },
            { type: 'input_image', image_url: `${images.url}/square.png`, detail: 'high' },
          ],
        },
      ],
    });
    expect(schemaErrors(response, 'Response')).toEqual([]);
    expect(response).toMatchObject({
      object: 'response',
      status: 'completed',
      model: backend.model,
      output_text: 'Two blue squares.',
      instructions: 'Describe images briefly.',
      metadata: { suite: 'e2e' },
      temperature: 0.5,
      max_output_tokens: 200,
      usage: { input_tokens: 21, output_tokens: 9, total_tokens: 30 },
    });
    expect(response.id).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(response.output).toEqual([
      expect.objectContaining({
        type: 'message',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: 'Two blue squares.', annotations: [], logprobs: [] }],
      }),
    ]);
    expect(backend.imagesInLastRequest()).toBe(2);
    expect(JSON.stringify(backend.lastBody())).toContain('Describe images briefly.');
  });

  it('streams named events with sequence numbers that the SDK reads (stream: true)', async () => {
    backend.script({ text: 'A blue square on white.' });
    const stream = await iris.client.responses.create({
      model: backend.model,
      input: [{ role: 'user', content: [{ type: 'input_image', image_url: pngDataUri, detail: 'auto' }] }],
      stream: true,
    });
    const events = await collect(stream);
    expectValidEvents(events);
    const types = events.map((event) => event.type);
    expect(types.slice(0, 4)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    expect(types.slice(-4)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const text = events
      .flatMap((event) => (event.type === 'response.output_text.delta' ? [event.delta] : []))
      .join('');
    expect(text).toBe('A blue square on white.');
    const completed = events[events.length - 1];
    expect(completed.type === 'response.completed' && completed.response.output_text).toBe(
      'A blue square on white.',
    );
    expect(completed.type === 'response.completed' && completed.response.usage?.total_tokens).toBe(30);
  });

  it('works with the SDK stream helper (client.responses.stream)', async () => {
    backend.script({ text: 'Helper text.' });
    const runner = iris.client.responses.stream({ model: backend.model, input: 'Say something.' });
    let deltas = '';
    runner.on('response.output_text.delta', (event) => (deltas += event.delta));
    const final = await runner.finalResponse();
    expect(deltas).toBe('Helper text.');
    expect(final.output_text).toBe('Helper text.');
    expect(final.status).toBe('completed');
  });

  it('does a function tool round trip (function_call out, function_call_output back in)', async () => {
    backend.script({ toolCall: { name: 'get_weather', arguments: { city: 'Paris' } } });
    const input: ResponseInputItem[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await iris.client.responses.create({
      model: backend.model,
      input,
      tools: [WEATHER_TOOL],
      tool_choice: 'auto',
    });
    expect(schemaErrors(first, 'Response')).toEqual([]);
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', status: 'completed' });
    if (call?.type !== 'function_call') throw new Error('no function call');
    expect(JSON.parse(call.arguments)).toEqual({ city: 'Paris' });
    expect(call.call_id.length).toBeGreaterThan(0);
    expect(first.output_text).toBe('');

    backend.script({ text: 'It is 22 degrees in Paris.' });
    const second = await iris.client.responses.create({
      model: backend.model,
      tools: [WEATHER_TOOL],
      input: [
        ...input,
        ...(first.output as ResponseInputItem[]),
        { type: 'function_call_output', call_id: call.call_id, output: '{"celsius":22}' },
      ],
    });
    expect(second.output_text).toBe('It is 22 degrees in Paris.');
    const upstream = JSON.stringify(backend.lastBody());
    expect(upstream).toContain('celsius');
    expect(upstream).toContain('get_weather');
  });

  it('streams a function call as function_call_arguments events', async () => {
    backend.script({ toolCall: { name: 'get_weather', arguments: { city: 'Rome' } } });
    const events = await collect(
      await iris.client.responses.create({
        model: backend.model,
        input: 'Weather in Rome?',
        tools: [WEATHER_TOOL],
        stream: true,
      }),
    );
    expectValidEvents(events);
    const done = events.find((event) => event.type === 'response.function_call_arguments.done');
    expect(done).toMatchObject({ name: 'get_weather' });
    expect(done?.type === 'response.function_call_arguments.done' && JSON.parse(done.arguments)).toEqual({
      city: 'Rome',
    });
    const completed = events[events.length - 1];
    expect(completed.type).toBe('response.completed');
    expect(
      completed.type === 'response.completed' && completed.response.output.map((item) => item.type),
    ).toEqual(['function_call']);
  });

  it('asks the backend for json_schema output (text.format) and returns the JSON text', async () => {
    backend.script({ text: '{"color":"blue","count":2}' });
    const response = await iris.client.responses.create({
      model: backend.model,
      input: 'Describe as JSON.',
      text: {
        format: {
          type: 'json_schema',
          name: 'Description',
          strict: true,
          schema: {
            type: 'object',
            properties: { color: { type: 'string' }, count: { type: 'integer' } },
            required: ['color', 'count'],
            additionalProperties: false,
          },
        },
      },
    });
    expect(backend.structuredOutputRequested(backend.lastBody())).toBe(true);
    expect(JSON.parse(response.output_text)).toEqual({ color: 'blue', count: 2 });
    expect(response.text?.format).toMatchObject({ type: 'json_schema', name: 'Description', strict: true });
    expect(schemaErrors(response, 'Response')).toEqual([]);
  });
});

describe('/v1/responses reasoning', () => {
  it('turns Gemini thought parts into a reasoning item before the message (JSON and stream)', async () => {
    const parts = [{ text: 'Compare hues first.', thought: true }, { text: 'Blue.' }];
    gemini.reply((call) => {
      const event = {
        candidates: [{ content: { role: 'model', parts }, index: 0, finishReason: 'STOP' }],
        usageMetadata: {
          promptTokenCount: 4,
          candidatesTokenCount: 2,
          thoughtsTokenCount: 6,
          totalTokenCount: 12,
        },
      };
      return call.stream ? { kind: 'stream', events: [event] } : { kind: 'json', body: event };
    });
    const response = await iris.client.responses.create({
      model: 'gemini-2.0-flash',
      input: 'Which color?',
      reasoning: { effort: 'low' },
    });
    expect(schemaErrors(response, 'Response')).toEqual([]);
    expect(response.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(response.output[0]).toMatchObject({
      type: 'reasoning',
      summary: [],
      content: [{ type: 'reasoning_text', text: 'Compare hues first.' }],
    });
    expect(response.output_text).toBe('Blue.');

    const events = await collect(
      await iris.client.responses.create({
        model: 'gemini-2.0-flash',
        input: 'Which color?',
        reasoning: { effort: 'low' },
        stream: true,
      }),
    );
    expectValidEvents(events);
    expect(events.map((event) => event.type)).toContain('response.reasoning_text.delta');
    const last = events[events.length - 1];
    expect(last.type === 'response.completed' && last.response.output.map((item) => item.type)).toEqual([
      'reasoning',
      'message',
    ]);
  });

  it('fills the reasoning summary when the client asks for reasoning.summary (SDK stream helper)', async () => {
    const parts = [{ text: 'Compare hues first.', thought: true }, { text: 'Blue.' }];
    gemini.reply((call) => {
      const event = {
        candidates: [{ content: { role: 'model', parts }, index: 0, finishReason: 'STOP' }],
        usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2, totalTokenCount: 6 },
      };
      return call.stream ? { kind: 'stream', events: [event] } : { kind: 'json', body: event };
    });
    const runner = iris.client.responses.stream({
      model: 'gemini-2.0-flash',
      input: 'Which color?',
      reasoning: { effort: 'low', summary: 'auto' },
    });
    let summary = '';
    runner.on('response.reasoning_summary_text.delta', (event) => (summary += event.delta));
    const final = await runner.finalResponse();
    expect(summary).toBe('Compare hues first.');
    expect(final.output[0]).toMatchObject({
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: 'Compare hues first.' }],
    });
    expect(final.output_text).toBe('Blue.');
    expect(final.reasoning).toEqual({ effort: 'low', summary: 'auto' });
  });
});

describe('/v1/responses in OCR mode', () => {
  it('runs the image analyses first (ocr_model) and sends the target text only', async () => {
    openAiScript = { text: 'ANALYSIS: a blue square' };
    anthropicScript = { text: 'It is a blue square.' };
    const { data, response } = await iris.client.responses
      .create({
        model: 'claude-sonnet-4-6',
        ocr_model: 'gpt-4o-mini',
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'What is this?' },
              { type: 'input_image', image_url: pngDataUri, detail: 'auto' },
            ],
          },
        ],
      } as never)
      .withResponse();
    expect(data.output_text).toBe('It is a blue square.');
    expect(data.model).toBe('claude-sonnet-4-6');
    expect(response.headers.get('x-iris-ocr-usage')).toBeTruthy();
    const breakdown = (
      data as unknown as { x_iris: { ocr: { model: string; images: Array<{ model: string }> } } }
    ).x_iris.ocr;
    expect(breakdown.model).toBe('gpt-4o-mini');
    expect(breakdown.images).toHaveLength(1);
    expect(countImages(lastJson(openAi) as ChatBody)).toBe(1);
    const claudeBody = lastJson(anthropic) as MessagesBody;
    expect(JSON.stringify(claudeBody)).toContain('ANALYSIS: a blue square');
    expect(JSON.stringify(claudeBody)).not.toContain('"image"');
    expect(claudeBody).not.toHaveProperty('ocr_model');
  });
});

describe('/v1/responses errors and policies', () => {
  async function rejection(body: Record<string, unknown>): Promise<APIError> {
    try {
      await iris.client.responses.create({ model: 'gpt-4o-mini', input: 'x', ...body } as never);
    } catch (error) {
      if (error instanceof APIError) return error;
      throw error;
    }
    throw new Error('expected an error');
  }

  it.each([
    [{ previous_response_id: 'resp_123' }, 'previous_response_id'],
    [{ store: true }, 'store'],
    [{ background: true }, 'background'],
    [{ conversation: 'conv_1' }, 'conversation'],
    [{ tools: [{ type: 'web_search' }] }, 'tools[0].type'],
    [{ tools: [{ type: 'file_search', vector_store_ids: ['vs_1'] }] }, 'tools[0].type'],
    [
      { input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file_1' }] }] },
      'input[0].content[0].file_id',
    ],
    [
      { input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1', detail: 'auto' }] }] },
      'input[0].content[0].file_id',
    ],
    [
      {
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'a' },
              { type: 'input_image', detail: 'auto' },
            ],
          },
        ],
      },
      'input[0].content[1].image_url',
    ],
    [{ model: 'gpt-4o-mini', input: [{ role: 'user', content: 'x' }], top_logprobs: 3 }, 'top_logprobs'],
  ])('answers %j with a 400 naming %s', async (body, param) => {
    const requestsBefore = openAi.requests.length;
    const error = await rejection(body);
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ type: 'invalid_request_error', param });
    expect(error.message).toContain(param);
    expect(openAi.requests.length).toBe(requestsBefore);
  });

  it('maps every supported parameter onto the chat request the OpenAI-compatible upstream receives', async () => {
    openAiScript = { text: 'mapped' };
    const response = await iris.client.responses.create({
      model: 'gpt-4o-mini',
      instructions: 'Be exact.',
      input: [
        { role: 'developer', content: 'Answer in English.' },
        { role: 'user', content: 'Hi' },
      ],
      max_output_tokens: 64,
      temperature: 0.7,
      top_p: 0.9,
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'function', name: 'get_weather' },
      parallel_tool_calls: false,
      text: { format: { type: 'json_object' }, verbosity: 'low' },
      reasoning: { effort: 'medium' },
      metadata: { trace: 't-1' },
      user: 'user-1',
      safety_identifier: 'safe-1',
      prompt_cache_key: 'cache-1',
      service_tier: 'auto',
      store: false,
    });
    expect(lastJson(openAi)).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be exact.' },
        { role: 'developer', content: 'Answer in English.' },
        { role: 'user', content: 'Hi' },
      ],
      max_completion_tokens: 64,
      temperature: 0.7,
      top_p: 0.9,
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: WEATHER_TOOL.description,
            parameters: WEATHER_TOOL.parameters,
            strict: true,
          },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_object' },
      verbosity: 'low',
      reasoning_effort: 'medium',
      user: 'user-1',
      safety_identifier: 'safe-1',
      prompt_cache_key: 'cache-1',
      service_tier: 'auto',
      stream: false,
    });
    expect(response).toMatchObject({
      metadata: { trace: 't-1' },
      tool_choice: { type: 'function', name: 'get_weather' },
      parallel_tool_calls: false,
      text: { format: { type: 'json_object' }, verbosity: 'low' },
      reasoning: { effort: 'medium', summary: null },
    });
    expect(schemaErrors(response, 'Response')).toEqual([]);
  });

  it('names the Responses path when the image layer rejects an image', async () => {
    const error = await rejection({
      input: [
        { role: 'user', content: 'first' },
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'a' },
            { type: 'input_image', image_url: 'data:image/png;base64,AAAAAAAAAAAAAAAA', detail: 'auto' },
          ],
        },
      ],
    });
    expect(error.status).toBe(400);
    expect((error.error as { param?: string }).param).toMatch(/^input\[1\]\.content\[1\]\.image_url/);
  });

  it('accepts store: false and reports documented drops in x-iris-dropped-params', async () => {
    openAiScript = { text: 'fine' };
    const { data, response } = await iris.client.responses
      .create({
        model: 'gpt-4o-mini',
        input: 'x',
        store: false,
        reasoning: { summary: 'auto' },
        include: ['reasoning.encrypted_content'],
      })
      .withResponse();
    expect(data.output_text).toBe('fine');
    expect(response.headers.get('x-iris-dropped-params')).toBe('include:reasoning.encrypted_content');
  });

  it('keeps a real HTTP status when the upstream fails before the first event', async () => {
    openAi.setHandler((_request, response) =>
      writeJson(
        response,
        429,
        { error: { message: 'Slow down', type: 'rate_limit_error', param: null, code: null } },
        { 'retry-after': '1' },
      ),
    );
    try {
      const error = await rejection({ stream: true });
      expect(error.status).toBe(429);
    } finally {
      openAi.setHandler((request, response) => writeOpenAi(request.json as ChatBody, response));
    }
  });

  it('turns an upstream failure after the start into an error event that ends the stream', async () => {
    openAi.setHandler((request, response) => {
      const base = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini' };
      return writeSse(response, [
        {
          data: {
            ...base,
            choices: [
              {
                index: 0,
                delta: { role: 'assistant', content: 'Partial' },
                logprobs: null,
                finish_reason: null,
              },
            ],
          },
        },
        {
          data: {
            error: {
              message: 'The server had an error while processing your request.',
              type: 'server_error',
              param: null,
              code: null,
            },
          },
        },
      ]);
    });
    try {
      const events = await collect(
        await iris.client.responses.create({ model: 'gpt-4o-mini', input: 'x', stream: true }),
      );
      expectValidEvents(events);
      expect(events.map((event) => event.type)).toContain('response.output_text.delta');
      expect(events[events.length - 1]).toMatchObject({ type: 'error' });
      expect(events.map((event) => event.type)).not.toContain('response.completed');
    } finally {
      openAi.setHandler((request, response) => writeOpenAi(request.json as ChatBody, response));
    }
  });

  it('ends a response cut by max_output_tokens as incomplete (JSON and stream)', async () => {
    openAi.setHandler((request, response) => {
      const body = request.json as ChatBody;
      const base = { id: 'c', created: 1, model: body.model };
      if (!body.stream) {
        return writeJson(response, 200, {
          ...base,
          object: 'chat.completion',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: 'Once upon', refusal: null },
              logprobs: null,
              finish_reason: 'length',
            },
          ],
          usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
        });
      }
      const chunk = (delta: unknown, finish: string | null) => ({
        data: {
          ...base,
          object: 'chat.completion.chunk',
          choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        },
      });
      return writeSse(response, [
        chunk({ role: 'assistant', content: 'Once upon' }, null),
        chunk({}, 'length'),
        { data: '[DONE]' },
      ]);
    });
    try {
      const response = await iris.client.responses.create({
        model: 'gpt-4o-mini',
        input: 'story',
        max_output_tokens: 2,
      });
      expect(response).toMatchObject({
        status: 'incomplete',
        incomplete_details: { reason: 'max_output_tokens' },
        output_text: 'Once upon',
      });
      expect(schemaErrors(response, 'Response')).toEqual([]);
      expect((lastJson(openAi) as ChatBody).max_completion_tokens).toBe(2);

      const events = await collect(
        await iris.client.responses.create({
          model: 'gpt-4o-mini',
          input: 'story',
          max_output_tokens: 2,
          stream: true,
        }),
      );
      expectValidEvents(events);
      const last = events[events.length - 1];
      expect(last.type).toBe('response.incomplete');
      expect(last.type === 'response.incomplete' && last.response.incomplete_details).toEqual({
        reason: 'max_output_tokens',
      });
    } finally {
      openAi.setHandler((request, response) => writeOpenAi(request.json as ChatBody, response));
    }
  });

  it('closes the upstream request when the client stops reading the stream', async () => {
    openAi.setHandler((request, response) => {
      const base = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini' };
      const events = Array.from({ length: 200 }, (_, index) => ({
        data: {
          ...base,
          choices: [{ index: 0, delta: { content: `w${index} ` }, logprobs: null, finish_reason: null }],
        },
      }));
      return writeSse(response, events, { delayMs: 20 });
    });
    try {
      const upstreamClosed = openAi.closedWhileAnswering();
      const stream = await iris.client.responses.create({
        model: 'gpt-4o-mini',
        input: 'long',
        stream: true,
      });
      for await (const event of stream) if (event.type === 'response.output_text.delta') break;
      await expect(upstreamClosed).resolves.toEqual(expect.any(Number));
    } finally {
      openAi.setHandler((request, response) => writeOpenAi(request.json as ChatBody, response));
    }
  });

  it('frames the stream as named SSE events without a [DONE] line', async () => {
    openAiScript = { text: 'Raw framing.' };
    const raw = await fetch(`${iris.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer test-gateway-key' },
      body: JSON.stringify({ model: 'gpt-4o-mini', input: 'x', stream: true }),
    });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toContain('text/event-stream');
    const text = await raw.text();
    const blocks = text.split('\n\n').filter(Boolean);
    for (const block of blocks) {
      const [eventLine, dataLine] = block.split('\n');
      const data = JSON.parse(dataLine.replace(/^data: /, '')) as { type: string };
      expect(eventLine).toBe(`event: ${data.type}`);
    }
    expect(text).not.toContain('[DONE]');
  });
});
