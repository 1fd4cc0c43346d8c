import { APIError } from 'openai';
import sharp from 'sharp';
import { startGateway, type StartedGateway } from './support/gateway';
import { startFakeServer, type FakeServer } from './support/fake-server';
import { expectStalledAnswerToTimeOut } from './support/stalled-answer';
import { GOOGLE_ERRORS, startGeminiUpstream, type GeminiUpstream } from './fakes/gemini-upstream';

const MODEL = 'gemini-2.0-flash';
const RESPONSE_ID = 'xtSfaIRs8_Sf2Q-skYe5Dg';

function textEvent(text: string, extra: Record<string, unknown> = {}, usage?: Record<string, number>) {
  return {
    candidates: [{ content: { role: 'model', parts: [{ text }] }, index: 0, ...extra }],
    modelVersion: MODEL,
    responseId: RESPONSE_ID,
    ...(usage ? { usageMetadata: usage } : {}),
  };
}

function textResponse(text: string) {
  return {
    kind: 'json' as const,
    body: textEvent(
      text,
      { finishReason: 'STOP' },
      { promptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 7 },
    ),
  };
}

describe('Gemini backend end to end (openai SDK → Iris → fake Gemini)', () => {
  let gemini: GeminiUpstream;
  let images: FakeServer;
  let iris: StartedGateway;
  let png: Buffer;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 10, b: 10 } } })
      .png()
      .toBuffer();
    gemini = await startGeminiUpstream({ apiKey: 'test-gemini-key' });
    images = await startFakeServer((request, response) => {
      response.writeHead(200, { 'content-type': 'image/png', 'content-length': String(png.length) });
      response.end(png);
    });
    iris = await startGateway({
      env: {
        GEMINI_BASE_URL: gemini.url,
        GEMINI_API_KEY: 'test-gemini-key',
        IRIS_ALLOW_PRIVATE_IMAGE_HOSTS: 'true',
      },
    });
  });
  afterAll(async () => {
    await iris.close();
    await gemini.close();
    await images.close();
    process.off('unhandledRejection', onUnhandled);
  });
  beforeEach(() => {
    gemini.calls.length = 0;
  });
  afterEach(() => {
    // The fake validates like the real API: nothing Iris sends may be rejected.
    expect(gemini.rejected).toEqual([]);
    expect(unhandled).toEqual([]);
  });

  it('text: system + params mapped, answer and usage translated', async () => {
    gemini.reply(textResponse('Blue light scatters.'));
    const completion = await iris.client.chat.completions.create({
      model: MODEL,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Why is the sky blue?' },
      ],
      temperature: 0.2,
      max_tokens: 50,
      stop: ['END'],
    });
    expect(completion.choices[0]).toMatchObject({
      index: 0,
      finish_reason: 'stop',
      message: { role: 'assistant', content: 'Blue light scatters.' },
    });
    expect(completion.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 });
    expect(completion.model).toBe(MODEL);
    const call = gemini.calls[0];
    expect(call).toMatchObject({ model: MODEL, stream: false });
    expect(call.body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Why is the sky blue?' }] }],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: { temperature: 0.2, maxOutputTokens: 50, stopSequences: ['END'] },
    });
    expect(call.request.headers['x-goog-api-key']).toBe('test-gemini-key');
    expect(call.request.url).toBe(`/v1beta/models/${MODEL}:generateContent`);
  });

  it('streaming text: role, deltas, finish, usage chunk; :streamGenerateContent?alt=sse', async () => {
    gemini.reply({
      kind: 'stream',
      events: [
        textEvent('The', {}, { promptTokenCount: 7, totalTokenCount: 7 }),
        textEvent(' sky is blue', {}, { promptTokenCount: 7, totalTokenCount: 7 }),
        textEvent(
          '.',
          { finishReason: 'STOP' },
          { promptTokenCount: 7, candidatesTokenCount: 5, totalTokenCount: 12 },
        ),
      ],
    });
    const stream = await iris.client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'why?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const finishes: string[] = [];
    let usage: unknown;
    const ids = new Set<string>();
    for await (const chunk of stream) {
      ids.add(chunk.id);
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('The sky is blue.');
    expect(finishes).toEqual(['stop']);
    expect(usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 5, total_tokens: 12 });
    expect(ids.size).toBe(1);
    expect(gemini.calls[0].request.url).toBe(`/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`);
  });

  it('base64 image → inlineData with the MIME type from the bytes and pure base64', async () => {
    gemini.reply(textResponse('A red square.'));
    await iris.client.chat.completions.create({
      model: MODEL,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } },
          ],
        },
      ],
    });
    const parts = (gemini.calls[0].body.contents as Array<{ parts: Array<Record<string, unknown>> }>)[0]
      .parts;
    expect(parts[0]).toEqual({ text: 'What is this?' });
    expect(parts[1]).toEqual({
      inlineData: { mimeType: 'image/png', data: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/) },
    });
  });

  it('GIF is converted before Gemini sees it (Gemini takes no GIF)', async () => {
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#00ff00' } })
      .gif()
      .toBuffer();
    gemini.reply(textResponse('Green.'));
    await iris.client.chat.completions.create({
      model: MODEL,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: `data:image/gif;base64,${gif.toString('base64')}` } },
          ],
        },
      ],
    });
    const part = (
      gemini.calls[0].body.contents as Array<{ parts: Array<{ inlineData?: { mimeType: string } }> }>
    )[0].parts[0];
    expect(part.inlineData?.mimeType).toBe('image/png');
  });

  it('multi-turn tools with a Gemini 3 thought signature carried through the tool-call id', async () => {
    const model = 'gemini-3-pro-preview';
    gemini.reply({
      kind: 'json',
      body: {
        candidates: [
          {
            content: {
              role: 'model',
              parts: [
                {
                  functionCall: { name: 'get_weather', args: { city: 'Paris' } },
                  thoughtSignature: 'CiQBjz1rX8wzAbCdEfGh/w==',
                },
              ],
            },
            finishReason: 'STOP',
            index: 0,
          },
        ],
        usageMetadata: {
          promptTokenCount: 20,
          candidatesTokenCount: 5,
          thoughtsTokenCount: 30,
          totalTokenCount: 55,
        },
      },
    });
    const tools = [
      {
        type: 'function' as const,
        function: {
          name: 'get_weather',
          description: 'Weather for a city.',
          parameters: {
            type: 'object',
            properties: {
              city: { type: 'string' },
              unit: { type: ['string', 'null'], enum: ['c', 'f', null] },
            },
            required: ['city'],
            additionalProperties: false,
          },
          strict: true,
        },
      },
    ];
    const first = await iris.client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools,
      tool_choice: 'auto',
    });
    const call = first.choices[0].message.tool_calls![0];
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect(call.type === 'function' && call.function).toEqual({
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
    });
    expect(first.usage?.completion_tokens_details?.reasoning_tokens).toBe(30);
    expect((gemini.calls[0].body.tools as unknown[])[0]).toEqual({
      functionDeclarations: [
        {
          name: 'get_weather',
          description: 'Weather for a city.',
          parameters: {
            type: 'OBJECT',
            properties: {
              city: { type: 'STRING' },
              unit: { type: 'STRING', enum: ['c', 'f'], nullable: true },
            },
            required: ['city'],
            propertyOrdering: ['city', 'unit'],
          },
        },
      ],
    });

    gemini.reply(textResponse('It is sunny in Paris.'));
    const second = await iris.client.chat.completions.create({
      model,
      tools,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        first.choices[0].message,
        { role: 'tool', tool_call_id: call.id, content: '{"sky":"sunny"}' },
      ],
    });
    expect(second.choices[0].message.content).toBe('It is sunny in Paris.');
    expect(gemini.calls[1].body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
      {
        role: 'model',
        parts: [
          {
            functionCall: { name: 'get_weather', args: { city: 'Paris' } },
            thoughtSignature: 'CiQBjz1rX8wzAbCdEfGh/w==',
          },
        ],
      },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { sky: 'sunny' } } }] },
    ]);
  });

  it('parallel tool calls streamed, then both results in one turn in call order', async () => {
    gemini.reply({
      kind: 'stream',
      events: [
        {
          candidates: [
            {
              content: {
                role: 'model',
                parts: [
                  { text: 'Checking.' },
                  { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
                ],
              },
              index: 0,
            },
          ],
          responseId: RESPONSE_ID,
        },
        {
          candidates: [
            {
              content: {
                role: 'model',
                parts: [{ functionCall: { name: 'get_time', args: { city: 'Rome' } } }],
              },
              finishReason: 'STOP',
              index: 0,
            },
          ],
          responseId: RESPONSE_ID,
          usageMetadata: { promptTokenCount: 30, candidatesTokenCount: 12, totalTokenCount: 42 },
        },
      ],
    });
    const tools = ['get_weather', 'get_time'].map((name) => ({
      type: 'function' as const,
      function: { name, parameters: { type: 'object', properties: { city: { type: 'string' } } } },
    }));
    const stream = iris.client.chat.completions.stream({
      model: MODEL,
      messages: [{ role: 'user', content: 'Paris weather, Rome time' }],
      tools,
    });
    const final = await stream.finalChatCompletion();
    const message = final.choices[0].message;
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    expect(message.content).toBe('Checking.');
    const calls = message.tool_calls!.map((call) =>
      call.type === 'function' ? [call.function.name, call.function.arguments] : [],
    );
    expect(calls).toEqual([
      ['get_weather', '{"city":"Paris"}'],
      ['get_time', '{"city":"Rome"}'],
    ]);

    gemini.reply(textResponse('Sunny, and 12:00.'));
    await iris.client.chat.completions.create({
      model: MODEL,
      tools,
      messages: [
        { role: 'user', content: 'Paris weather, Rome time' },
        { role: 'assistant', content: message.content, tool_calls: message.tool_calls },
        { role: 'tool', tool_call_id: message.tool_calls![1].id, content: '12:00' },
        { role: 'tool', tool_call_id: message.tool_calls![0].id, content: 'sunny' },
      ],
    });
    expect((gemini.calls[1].body.contents as unknown[])[2]).toEqual({
      role: 'user',
      parts: [
        { functionResponse: { name: 'get_weather', response: { content: 'sunny' } } },
        { functionResponse: { name: 'get_time', response: { content: '12:00' } } },
      ],
    });
  });

  it('safety finish → content_filter', async () => {
    gemini.reply({
      kind: 'stream',
      events: [
        textEvent('Here is how'),
        {
          candidates: [
            {
              content: { role: 'model', parts: [{ text: '' }] },
              finishReason: 'SAFETY',
              index: 0,
              safetyRatings: [
                { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true },
              ],
            },
          ],
        },
      ],
    });
    const stream = await iris.client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const finishes: string[] = [];
    for await (const chunk of stream)
      if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
    expect(finishes).toEqual(['content_filter']);
  });

  it.each([false, true])(
    'blocked prompt (stream=%s) → 400 content_filter, never an empty success',
    async (streamed) => {
      const blocked = {
        promptFeedback: { blockReason: 'PROHIBITED_CONTENT' },
        usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 },
        modelVersion: MODEL,
        responseId: RESPONSE_ID,
      };
      gemini.reply(streamed ? { kind: 'stream', events: [blocked] } : { kind: 'json', body: blocked });
      const run = async () => {
        if (!streamed)
          return iris.client.chat.completions.create({
            model: MODEL,
            messages: [{ role: 'user', content: 'x' }],
          });
        const stream = await iris.client.chat.completions.create({
          model: MODEL,
          messages: [{ role: 'user', content: 'x' }],
          stream: true,
        });
        for await (const _chunk of stream) void _chunk;
      };
      await expect(run()).rejects.toMatchObject({ status: 400, code: 'content_filter' });
    },
  );

  it.each([
    ['INVALID_ARGUMENT', 400, 'invalid_request_error', GOOGLE_ERRORS.invalidArgument()],
    ['FAILED_PRECONDITION', 400, 'invalid_request_error', GOOGLE_ERRORS.failedPrecondition()],
    ['API_KEY_INVALID', 401, 'authentication_error', GOOGLE_ERRORS.apiKeyInvalid()],
    ['UNAUTHENTICATED', 401, 'authentication_error', GOOGLE_ERRORS.unauthenticated()],
    ['PERMISSION_DENIED', 403, 'permission_error', GOOGLE_ERRORS.permissionDenied()],
    ['NOT_FOUND', 404, 'invalid_request_error', GOOGLE_ERRORS.notFound(MODEL)],
    ['RESOURCE_EXHAUSTED', 429, 'rate_limit_error', GOOGLE_ERRORS.resourceExhausted('23s')],
    ['INTERNAL', 500, 'server_error', GOOGLE_ERRORS.internal()],
    ['UNAVAILABLE', 503, 'service_unavailable', GOOGLE_ERRORS.unavailable()],
    ['DEADLINE_EXCEEDED', 504, 'timeout', GOOGLE_ERRORS.deadlineExceeded()],
  ])('%s → %i %s (complete and stream, one upstream attempt)', async (_name, status, type, error) => {
    for (const streamed of [false, true]) {
      gemini.calls.length = 0;
      gemini.reply({ kind: 'json', status: error.status, body: error.body });
      let caught: unknown;
      try {
        if (streamed) {
          const stream = await iris.client.chat.completions.create({
            model: MODEL,
            messages: [{ role: 'user', content: 'x' }],
            stream: true,
          });
          for await (const _chunk of stream) void _chunk;
        } else
          await iris.client.chat.completions.create({
            model: MODEL,
            messages: [{ role: 'user', content: 'x' }],
          });
      } catch (thrown) {
        caught = thrown;
      }
      expect(caught).toBeInstanceOf(APIError);
      const apiError = caught as APIError;
      expect(apiError.status).toBe(status);
      expect(apiError.type).toBe(type);
      expect(apiError.message).not.toContain('test-gemini-key');
      if (status === 429) expect(apiError.headers?.get('retry-after')).toBe('23');
      expect(gemini.calls).toHaveLength(1);
    }
  });

  it('error event mid-stream → the stream ends with an error the SDK raises', async () => {
    gemini.reply({
      kind: 'stream',
      events: [
        textEvent('Hel'),
        {
          error: {
            code: 503,
            message: 'The model is overloaded. Please try again later.',
            status: 'UNAVAILABLE',
          },
        },
      ],
    });
    const stream = await iris.client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    let text = '';
    await expect(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      })(),
    ).rejects.toThrow(/overloaded/);
    expect(text).toBe('Hel');
  });

  it('a stream cut off before its finishReason ends with an error, not a clean finish', async () => {
    gemini.reply({ kind: 'stream', events: [textEvent('Hel'), textEvent('lo')] });
    const stream = await iris.client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    let text = '';
    const finishes: unknown[] = [];
    const error = await (async () => {
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
      }
    })().catch((caught: unknown) => caught);
    expect(text).toBe('Hello');
    expect(finishes).toEqual([]);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ code: 'upstream_stream_truncated' });
  });

  it('client disconnect mid-stream closes the upstream request, no unhandled rejection', async () => {
    gemini.reply({ kind: 'stream', events: [textEvent('first')], hang: true });
    const upstreamClosed = gemini.server.closedWhileAnswering();
    const controller = new AbortController();
    const stream = await iris.client.chat.completions.create(
      { model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true },
      { signal: controller.signal },
    );
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta?.content) break;
    }
    controller.abort();
    await expect(
      Promise.race([
        upstreamClosed,
        new Promise((_, reject) => setTimeout(() => reject(new Error('upstream still open')), 3000)),
      ]),
    ).resolves.toEqual(expect.any(Number));
    await new Promise((resolve) => setTimeout(resolve, 100));
  });

  it('x-iris-dropped-params names what Gemini cannot take', async () => {
    gemini.reply(textResponse('ok'));
    const { response } = await iris.client.chat.completions
      .create({
        model: MODEL,
        messages: [{ role: 'user', content: 'x' }],
        logit_bias: { '50256': -100 },
        user: 'someone',
      })
      .withResponse();
    expect(
      response.headers
        .get('x-iris-dropped-params')
        ?.split(',')
        .map((name) => name.trim())
        .sort(),
    ).toEqual(['logit_bias', 'user']);
  });

  it('URL image fetched by Iris and inlined (Gemini cannot fetch URLs by default)', async () => {
    gemini.reply(textResponse('A red square.'));
    await iris.client.chat.completions.create({
      model: MODEL,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Describe' },
            { type: 'image_url', image_url: { url: `${images.url}/square.png` } },
          ],
        },
      ],
    });
    const parts = (
      gemini.calls[0].body.contents as Array<{
        parts: Array<{ inlineData?: { mimeType: string; data: string } }>;
      }>
    )[0].parts;
    expect(parts[1].inlineData?.mimeType).toBe('image/png');
    expect(Buffer.from(parts[1].inlineData!.data, 'base64').subarray(0, 8)).toEqual(png.subarray(0, 8));
    expect(images.requests).toHaveLength(1);
  });
});

/** The fake must reject what the real API rejects, or the Gemini e2e tests prove nothing. */
describe('fake Gemini upstream validation', () => {
  let gemini: GeminiUpstream;
  const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');
  const JPEG = Buffer.from('ffd8ffe000104a464946', 'hex').toString('base64');
  const user = (parts: unknown[]) => ({ role: 'user', parts });
  const call = { role: 'model', parts: [{ functionCall: { name: 'f', args: {} } }] };

  beforeAll(async () => {
    gemini = await startGeminiUpstream({ apiKey: 'k' });
  });
  afterAll(() => gemini.close());

  async function post(body: unknown, options: { path?: string; headers?: Record<string, string> } = {}) {
    const response = await fetch(
      `${gemini.url}${options.path ?? '/v1beta/models/gemini-2.0-flash:generateContent'}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-goog-api-key': 'k', ...options.headers },
        body: JSON.stringify(body),
      },
    );
    return {
      status: response.status,
      body: (await response.json()) as { error?: { code: number; message: string; status: string } },
    };
  }

  it('accepts a valid request', async () => {
    const { status } = await post({
      contents: [
        user([{ text: 'hi' }, { inlineData: { mimeType: 'image/png', data: PNG } }]),
        call,
        user([{ functionResponse: { name: 'f', response: { ok: true } } }]),
      ],
      systemInstruction: { parts: [{ text: 's' }] },
      generationConfig: {
        temperature: 1,
        maxOutputTokens: 5,
        thinkingConfig: { thinkingBudget: 0 },
        mediaResolution: 'MEDIA_RESOLUTION_LOW',
      },
      tools: [
        {
          functionDeclarations: [
            {
              name: 'f',
              parameters: { type: 'OBJECT', properties: { a: { type: 'STRING', nullable: true } } },
            },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f'] } },
    });
    expect(status).toBe(200);
  });

  it.each<[string, unknown, RegExp]>([
    [
      'unknown top-level field',
      { contents: [user([{ text: 'x' }])], temperature: 1 },
      /Unknown name "temperature" at ''/,
    ],
    [
      'unknown nested field (snake_case)',
      { contents: [user([{ text: 'x' }])], generationConfig: { max_output_tokens: 5 } },
      /Unknown name "max_output_tokens" at 'generationConfig'/,
    ],
    [
      'unknown part field',
      { contents: [user([{ text: 'x', mediaResolution: 'HIGH' }])] },
      /Unknown name "mediaResolution"/,
    ],
    [
      'bad enum value',
      {
        contents: [user([{ text: 'x' }])],
        tools: [
          {
            functionDeclarations: [
              { name: 'f', parameters: { type: 'object', properties: { a: { type: 'STRING' } } } },
            ],
          },
        ],
      },
      /Invalid value/,
    ],
    ['role assistant', { contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }, /valid role/],
    ['role system', { contents: [{ role: 'system', parts: [{ text: 'x' }] }] }, /valid role/],
    ['empty parts', { contents: [user([])] }, /must not be empty/],
    ['no contents', { contents: [] }, /contents is not specified/],
    [
      'two data fields in one part',
      { contents: [user([{ text: 'x', inlineData: { mimeType: 'image/png', data: PNG } }])] },
      /oneof/,
    ],
    [
      'GIF MIME type',
      { contents: [user([{ inlineData: { mimeType: 'image/gif', data: 'R0lGODlh' } }])] },
      /Unsupported MIME type/,
    ],
    [
      'MIME type not matching the bytes',
      { contents: [user([{ inlineData: { mimeType: 'image/png', data: JPEG } }])] },
      /not valid/,
    ],
    [
      'data: URI instead of pure base64',
      { contents: [user([{ inlineData: { mimeType: 'image/png', data: `data:image/png;base64,${PNG}` } }])] },
      /Invalid value/,
    ],
    [
      'functionResponse without a preceding call',
      { contents: [user([{ text: 'x' }]), user([{ functionResponse: { name: 'f', response: {} } }])] },
      /number of function response parts/,
    ],
    [
      'functionResponse with another name',
      { contents: [user([{ text: 'x' }]), call, user([{ functionResponse: { name: 'g', response: {} } }])] },
      /does not answer/,
    ],
    [
      'functionCall in a user turn',
      { contents: [user([{ functionCall: { name: 'f', args: {} } }])] },
      /only come from the model/,
    ],
    [
      'empty OBJECT parameters',
      {
        contents: [user([{ text: 'x' }])],
        tools: [{ functionDeclarations: [{ name: 'f', parameters: { type: 'OBJECT' } }] }],
      },
      /non-empty for OBJECT/,
    ],
    [
      'allowedFunctionNames with AUTO',
      {
        contents: [user([{ text: 'x' }])],
        tools: [{ functionDeclarations: [{ name: 'f' }] }],
        toolConfig: { functionCallingConfig: { mode: 'AUTO', allowedFunctionNames: ['f'] } },
      },
      /only be set when mode is ANY/,
    ],
  ])('rejects %s with 400 INVALID_ARGUMENT', async (_name, body, message) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({
      code: 400,
      status: 'INVALID_ARGUMENT',
      message: expect.stringMatching(message),
    });
  });

  it.each<[string, { path?: string; headers?: Record<string, string> }, number]>([
    ['key in the query string', { path: '/v1beta/models/m:generateContent?key=k' }, 400],
    ['no key header', { headers: { 'x-goog-api-key': '' } }, 400],
    ['streaming without alt=sse', { path: '/v1beta/models/m:streamGenerateContent' }, 400],
    ['unknown route', { path: '/v1/chat/completions' }, 404],
  ])('rejects %s', async (_name, options, status) => {
    expect((await post({ contents: [user([{ text: 'x' }])] }, options)).status).toBe(status);
  });
});

describe('Gemini model discovery', () => {
  it('lists the upstream models that support generateContent in /v1/models, prefixed with the backend', async () => {
    const gemini = await startGeminiUpstream({ apiKey: 'test-gemini-key' });
    const iris = await startGateway({
      configYaml: `
backends:
  - name: gemini
    baseUrl: ${gemini.url}
    apiKey: test-gemini-key
    discoverModels: true
`,
    });
    try {
      const ids = (await iris.client.models.list()).data.map((model) => model.id);
      expect(ids).toContain('gemini/gemini-2.5-flash');
      expect(ids).not.toContain('gemini/text-embedding-004');
      expect(gemini.server.requests.every((request) => !request.url.includes('key='))).toBe(true);
    } finally {
      await iris.close();
      await gemini.close();
    }
  });
});

describe('Gemini deadlines', () => {
  it('an answer whose body stalls after its headers → 504 after the timeout, and the upstream request is closed', () =>
    expectStalledAnswerToTimeOut({
      start: (response) => {
        response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
        response.write('{"candidates": [{"content": {"parts": [{"text": "Hel');
      },
      env: (url) => ({ GEMINI_BASE_URL: url, GEMINI_API_KEY: 'test-gemini-key' }),
      model: MODEL,
    }));
});
