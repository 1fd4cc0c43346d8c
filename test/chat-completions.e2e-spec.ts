import { request as httpRequest } from 'node:http';
import OpenAI from 'openai';
import { startGateway, type StartedGateway } from './support/gateway';
import { handleOpenAi, openAiError } from './fakes/openai-upstream';
import { startFakeServer, writeSse, type FakeServer } from './support/fake-server';

/**
 * The foundation end to end: the real gateway, the official OpenAI SDK as client, and a fake OpenAI
 * upstream on 127.0.0.1 speaking its wire format.
 */
/** An upstream's first streamed chunk, for the stream-failure cases. */
const FIRST_CHUNK = {
  id: 'c',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }],
};

describe('POST /v1/chat/completions → OpenAI-compatible upstream', () => {
  let upstream: FakeServer;
  let keylessUpstream: FakeServer;
  let iris: StartedGateway;
  const defaultHandler = (
    request: Parameters<typeof handleOpenAi>[0],
    response: Parameters<typeof handleOpenAi>[1],
  ) => handleOpenAi(request, response, { apiKey: 'sk-upstream' });

  beforeAll(async () => {
    upstream = await startFakeServer(defaultHandler);
    keylessUpstream = await startFakeServer((request, response) => handleOpenAi(request, response, {}));
    iris = await startGateway({
      configYaml: `
backends:
  - name: openai
    baseUrl: ${upstream.url}/v1
    apiKey: sk-upstream
    timeoutMs: 1500
  - name: ollama
    baseUrl: ${keylessUpstream.url}/v1
    models: [llava]
aliases:
  vision: ollama/llava
`,
    });
  });
  beforeEach(() => {
    upstream.setHandler(defaultHandler);
    upstream.requests.length = 0;
  });
  afterAll(async () => {
    await iris.close();
    await upstream.close();
    await keylessUpstream.close();
  });

  const ask = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

  /** Streams `ask` through Iris: the contents that arrived, then the error that ended the stream (if any). */
  async function streamAsk(): Promise<{ contents: string[]; error: unknown }> {
    const stream = await iris.client.chat.completions.create({ ...ask, stream: true });
    const contents: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) contents.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((caught: unknown) => caught);
    return { contents, error };
  }

  it('answers non-streamed with the name the client sent and passes the request through', async () => {
    const completion = await iris.client.chat.completions.create({
      ...ask,
      temperature: 0.3,
      seed: 4,
      // A field the gateway does not model is passed on, not stripped.
      ...({ service_tier: 'flex' } as object),
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.choices[0]).toMatchObject({
      index: 0,
      finish_reason: 'stop',
      message: { role: 'assistant' },
    });
    expect(completion.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 });
    const sent = upstream.requests[0];
    expect(sent.headers.authorization).toBe('Bearer sk-upstream');
    expect(sent.json).toMatchObject({
      model: 'gpt-4o-mini',
      temperature: 0.3,
      seed: 4,
      service_tier: 'flex',
    });
  });

  it('routes a named OpenAI-compatible backend by prefix and by alias, without a key', async () => {
    const byPrefix = await iris.client.chat.completions.create({ ...ask, model: 'ollama/llava' });
    const byAlias = await iris.client.chat.completions.create({ ...ask, model: 'vision' });
    expect(byPrefix.model).toBe('ollama/llava');
    expect(byAlias.model).toBe('vision');
    const sent = keylessUpstream.requests.slice(-2);
    expect(sent.map((request) => (request.json as { model: string }).model)).toEqual(['llava', 'llava']);
    expect(sent[0].headers.authorization).toBe('Bearer no-key');
  });

  it('streams chunks with one id and no usage unless asked', async () => {
    const stream = await iris.client.chat.completions.create({ ...ask, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(3);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks.every((chunk) => chunk.model === 'gpt-4o-mini')).toBe(true);
    expect(chunks.every((chunk) => chunk.choices.length === 1 && chunk.usage === undefined)).toBe(true);
    expect(chunks.filter((chunk) => chunk.choices[0].finish_reason !== null)).toHaveLength(1);
    expect(chunks.map((chunk) => chunk.choices[0].delta.content ?? '').join('')).toContain(
      'Hello from gpt-4o-mini',
    );
  });

  it('with include_usage sends exactly one usage chunk, last, with choices: []', async () => {
    const stream = await iris.client.chat.completions.create({
      ...ask,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const usageChunks = chunks.filter((chunk) => chunk.usage);
    expect(usageChunks).toHaveLength(1);
    expect(chunks[chunks.length - 1]).toBe(usageChunks[0]);
    expect(usageChunks[0].choices).toEqual([]);
    expect(usageChunks[0].usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
  });

  it('frames SSE exactly: headers, data lines, [DONE] last', async () => {
    const response = await fetch(`${iris.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-abc' },
      body: JSON.stringify({ ...ask, stream: true }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(response.headers.get('x-request-id')).toBe('req-abc');
    const text = await response.text();
    const events = text.split('\n\n').filter(Boolean);
    expect(events.every((event) => event.startsWith('data: '))).toBe(true);
    expect(events[events.length - 1]).toBe('data: [DONE]');
    expect(events.filter((event) => event === 'data: [DONE]')).toHaveLength(1);
  });

  it('echoes x-request-id or generates one', async () => {
    const response = await fetch(`${iris.url}/v1/models`);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  describe('bad input: OpenAI-shaped 4xx, never reaching the upstream', () => {
    async function raw(
      body: string,
      contentType = 'application/json',
    ): Promise<{ status: number; json: { error: Record<string, unknown> } }> {
      const response = await fetch(`${iris.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      });
      return { status: response.status, json: (await response.json()) as { error: Record<string, unknown> } };
    }

    it('names the offending parameter path through the SDK', async () => {
      const error = await iris.client.chat.completions
        .create({
          model: 'gpt-4o-mini',
          messages: [
            { role: 'user', content: 'a' },
            {
              role: 'user',
              content: [
                { type: 'text', text: 'b' },
                { type: 'text', text: 'c' },
                { type: 'image_url', image_url: { url: '' } },
              ],
            },
          ],
        })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error).toMatchObject({
        status: 400,
        type: 'invalid_request_error',
        param: 'messages[1].content[2].image_url.url',
      });
      expect(upstream.requests).toHaveLength(0);
    });

    it.each([
      ['invalid JSON', '{"model":', 'application/json', 400, 'invalid_json'],
      ['an empty body', '', 'application/json', 400, 'invalid_json'],
      [
        'a non-JSON content type',
        'model=x',
        'application/x-www-form-urlencoded',
        415,
        'unsupported_media_type',
      ],
      ['plain text', 'hello', 'text/plain', 415, 'unsupported_media_type'],
    ])('%s → %s', async (_name, body, contentType, status, code) => {
      const { status: actual, json } = await raw(body, contentType);
      expect(actual).toBe(status);
      expect(json.error).toMatchObject({ code, type: 'invalid_request_error', param: null });
      expect(typeof json.error.message).toBe('string');
      expect(upstream.requests).toHaveLength(0);
    });

    it('an unknown model → 404 model_not_found', async () => {
      const error = await iris.client.chat.completions
        .create({ ...ask, model: 'no-such-model' })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect(error).toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
    });

    it('an unknown route → 404 envelope', async () => {
      const response = await fetch(`${iris.url}/v1/nothing-here`);
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { type: string } }).error.type).toBe(
        'invalid_request_error',
      );
    });
  });

  describe('upstream failures map to the right status', () => {
    it('429 stays 429 with Retry-After', async () => {
      upstream.setHandler((_request, response) =>
        openAiError(response, 429, 'Rate limit reached for gpt-4o-mini.', 'requests', 'rate_limit_exceeded', {
          'retry-after': '7',
        }),
      );
      const response = await fetch(`${iris.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ask),
      });
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('7');
      expect(await response.json()).toEqual({
        error: {
          message: 'Rate limit reached for gpt-4o-mini.',
          type: 'requests',
          param: null,
          code: 'rate_limit_exceeded',
        },
      });
    });

    it.each([
      [400, 400, 'invalid_request_error'],
      [401, 401, 'invalid_request_error'],
      [404, 404, 'invalid_request_error'],
      [500, 500, 'server_error'],
      [503, 503, 'service_unavailable'],
      [529, 503, 'service_unavailable'],
    ])('upstream %s → %s', async (upstreamStatus, status, type) => {
      upstream.setHandler((_request, response) =>
        openAiError(
          response,
          upstreamStatus,
          `upstream said ${upstreamStatus}`,
          'invalid_request_error',
          null,
        ),
      );
      const error = await iris.client.chat.completions.create(ask).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(error).toMatchObject({ status, type });
      expect((error as Error).message).toContain(`upstream said ${upstreamStatus}`);
      expect((error as Error).message).not.toContain('sk-upstream');
    });

    it('an upstream error before the first chunk is a real HTTP status for a stream too', async () => {
      upstream.setHandler((_request, response) =>
        openAiError(response, 429, 'slow down', 'requests', 'rate_limit_exceeded', { 'retry-after': '3' }),
      );
      const response = await fetch(`${iris.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...ask, stream: true }),
      });
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('3');
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
    });

    it('a timeout → 504', async () => {
      upstream.setHandler(() => undefined); // never answers; the backend's timeoutMs is 1500
      const error = await iris.client.chat.completions.create(ask).catch((caught: unknown) => caught);
      expect(error).toMatchObject({
        status: 504,
        type: 'timeout',
        message: expect.stringContaining('timed out'),
      });
    });

    it('an answer whose body stalls after its headers → 504 after timeoutMs, and the upstream request is closed', async () => {
      upstream.setHandler((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"id":"chatcmpl-stall","object":"chat.completion",'); // then nothing, the connection open
      });
      const closed = upstream.closedWhileAnswering();
      const startedAt = Date.now();
      const error = await iris.client.chat.completions.create(ask).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ status: 504, type: 'timeout', code: 'upstream_timeout' });
      // The backend's timeoutMs is 1500 (undici checks a body's silence about once a second).
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1400);
      expect(Date.now() - startedAt).toBeLessThan(5000);
      await expect(closed).resolves.toEqual(expect.any(Number));
    });

    it('a stream with no answer within timeoutMs → 504 before any byte is sent', async () => {
      upstream.setHandler(() => undefined); // never answers
      const response = await fetch(`${iris.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...ask, stream: true }),
      });
      expect(response.status).toBe(504);
      expect(await response.json()).toMatchObject({ error: { type: 'timeout' } });
    });

    it('an unreachable upstream → 502', async () => {
      const dead = await startGateway({ env: { OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' } });
      try {
        const error = await dead.client.chat.completions.create(ask).catch((caught: unknown) => caught);
        expect(error).toMatchObject({ status: 502, code: 'upstream_unreachable' });
      } finally {
        await dead.close();
      }
    });

    it('an error after the first chunk becomes one data: {"error"} event and the stream ends', async () => {
      upstream.setHandler((_request, response) =>
        writeSse(response, [
          { data: FIRST_CHUNK },
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
        ]),
      );
      const response = await fetch(`${iris.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...ask, stream: true }),
      });
      expect(response.status).toBe(200);
      const events = (await response.text()).split('\n\n').filter(Boolean);
      expect(JSON.parse(events[0].slice(6)).choices[0].delta.content).toBe('Hel');
      const last = JSON.parse(events[events.length - 1].slice(6));
      expect(last.error).toMatchObject({
        message: 'The server had an error while processing your request.',
        type: 'server_error',
      });
      expect(events).not.toContain('data: [DONE]');
    });

    it('a stream that goes silent longer than timeoutMs ends with a timeout error and closes the upstream', async () => {
      upstream.setHandler((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(`data: ${JSON.stringify(FIRST_CHUNK)}\n\n`); // then nothing, the connection open
      });
      const closed = upstream.closedWhileAnswering();
      const startedAt = Date.now();
      const { contents, error } = await streamAsk();
      expect(contents).toEqual(['Hel']);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(error).toMatchObject({ type: 'timeout', code: 'upstream_timeout' });
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1400); // the backend's timeoutMs is 1500
      await expect(closed).resolves.toEqual(expect.any(Number));
    });

    it('a slow client holding a large stream back longer than timeoutMs still gets all of it', async () => {
      // More than every buffer between the upstream and the client (sockets, undici, the SSE writer), sent
      // at once: the gateway must stop reading the upstream while its client does not read, and that wait
      // is not the upstream's silence.
      const chunkText = 'x'.repeat(16 * 1024);
      const chunkCount = 3000;
      upstream.setHandler((_request, response) => {
        const events: Array<{ data: unknown }> = [];
        for (let index = 0; index < chunkCount; index++) {
          events.push({
            data: {
              ...FIRST_CHUNK,
              choices: [{ index: 0, delta: { content: chunkText }, finish_reason: null }],
            },
          });
        }
        events.push({ data: { ...FIRST_CHUNK, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] } });
        writeSse(response, events);
      });
      const { status, text } = await readSlowly(
        `${iris.url}/v1/chat/completions`,
        { ...ask, stream: true },
        3500,
      );
      expect(status).toBe(200);
      // (Compared as small values: a failure must not print 50 MB.)
      expect(text.includes('"error"')).toBe(false);
      expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
      expect(text.split(chunkText).length - 1).toBe(chunkCount);
    }, 20_000); // 50 MB and a 3.5 s pause

    it('a stream cut off before [DONE] and any finish reason ends with an error, not a clean [DONE]', async () => {
      upstream.setHandler((_request, response) => writeSse(response, [{ data: FIRST_CHUNK }]));
      const { contents, error } = await streamAsk();
      expect(contents).toEqual(['Hel']);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(error).toMatchObject({
        code: 'upstream_stream_truncated',
        message: expect.stringContaining('ended before [DONE]'),
      });
    });
  });

  it('a client disconnect closes the upstream request within 100 ms', async () => {
    upstream.setHandler(async (request, response) => {
      // Stream slowly and forever (until the gateway hangs up).
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let index = 0; index < 1000 && !response.destroyed; index++) {
        response.write(
          `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'x' }, finish_reason: null }] })}\n\n`,
        );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      response.end();
      void request;
    });
    const closed = upstream.closedWhileAnswering();
    const controller = new AbortController();
    const stream = await iris.client.chat.completions.create(
      { ...ask, stream: true },
      { signal: controller.signal },
    );
    let received = 0;
    let abortedAt = 0;
    try {
      for await (const _chunk of stream) {
        received++;
        if (received === 3) {
          abortedAt = Date.now();
          controller.abort();
        }
      }
    } catch {
      // the SDK throws an abort error
    }
    const closedAt = await closed;
    expect(received).toBeGreaterThanOrEqual(3);
    expect(closedAt - abortedAt).toBeLessThan(100);
  });
});

describe('gateway keys', () => {
  let iris: StartedGateway;
  beforeAll(async () => {
    iris = await startGateway({ env: { GATEWAY_API_KEYS: 'key-one,key-two' } });
  });
  afterAll(() => iris.close());

  it.each([
    ['no key', undefined, "You didn't provide an API key"],
    ['a wrong key', 'Bearer key-three', 'Incorrect API key'],
    ['a key that is a prefix of a valid one', 'Bearer key-on', 'Incorrect API key'],
  ])('%s → 401', async (_name, authorization, message) => {
    const response = await fetch(`${iris.url}/v1/models`, {
      headers: authorization ? { authorization } : {},
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { message: string; code: string } };
    expect(body.error.code).toBe('invalid_api_key');
    expect(body.error.message).toContain(message);
  });

  it('accepts every configured key, and leaves /health and /ready open', async () => {
    for (const key of ['key-one', 'key-two']) {
      const response = await fetch(`${iris.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      expect(response.status).toBe(200);
    }
    expect((await fetch(`${iris.url}/health`)).status).toBe(200);
    expect((await fetch(`${iris.url}/ready`)).status).toBe(200);
  });

  it('checks the key before reading the body', async () => {
    const response = await fetch(`${iris.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(response.status).toBe(401);
  });
});

describe('limits, models, health', () => {
  let iris: StartedGateway;
  beforeAll(async () => {
    iris = await startGateway({
      env: {
        IRIS_BODY_LIMIT_BYTES: '100000',
        OPENAI_API_KEY: 'sk-x',
        OPENAI_BASE_URL: 'http://127.0.0.1:1/v1',
      },
    });
  });
  afterAll(() => iris.close());

  it('a body over the limit → 413 envelope', async () => {
    const body = JSON.stringify({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'x'.repeat(200_000) }],
    });
    const response = await fetch(`${iris.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('request_too_large');
  });

  it('the default body limit takes several 20 MB images (64 MiB)', async () => {
    const big = await startGateway();
    try {
      expect(big.gateway.config.bodyLimitBytes).toBe(64 * 1024 * 1024);
    } finally {
      await big.close();
    }
  });

  it('lists every routable model in the OpenAI list format, and gets one by id', async () => {
    const list = await iris.client.models.list();
    const ids = list.data.map((model) => model.id);
    expect(ids).toEqual(expect.arrayContaining(['gpt-4o-mini', 'local-ocr']));
    expect(
      list.data.every(
        (model) =>
          model.object === 'model' && typeof model.owned_by === 'string' && typeof model.created === 'number',
      ),
    ).toBe(true);
    const model = await iris.client.models.retrieve('gpt-4o-mini');
    expect(model).toMatchObject({ id: 'gpt-4o-mini', owned_by: 'openai' });
    const prefixed = await iris.client.models.retrieve('openai/gpt-5-preview');
    expect(prefixed).toMatchObject({ id: 'openai/gpt-5-preview', owned_by: 'openai' });
    await expect(iris.client.models.retrieve('nope')).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
  });

  it('/health and /ready', async () => {
    expect(await (await fetch(`${iris.url}/health`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${iris.url}/ready`)).json()).toMatchObject({
      status: 'ready',
      backends: expect.arrayContaining(['openai', 'local-ocr']),
      // The default in-flight body budget, idle.
      bodyBudget: { budgetBytes: 64 * 1024 * 1024, bytesInFlight: 0, waiting: 0 },
    });
  });
});

describe('shutdown', () => {
  it('lets an in-flight stream finish, then stops accepting', async () => {
    const upstream = await startFakeServer((request, response) =>
      handleOpenAi(request, response, { chunkDelayMs: 30 }),
    );
    const iris = await startGateway({ env: { OPENAI_BASE_URL: `${upstream.url}/v1` } });
    try {
      const stream = await iris.client.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'one two three four' }],
        stream: true,
      });
      const closing = iris.close();
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      await closing;
      expect(text).toContain('Hello from gpt-4o');
      await expect(fetch(`${iris.url}/health`)).rejects.toThrow();
    } finally {
      await upstream.close();
    }
  });
});

/**
 * POSTs `body` and reads the answer like a slow client: the first bytes, then nothing for `pauseMs`
 * (the socket is not read, so the sender is held back), then the rest.
 */
function readSlowly(url: string, body: unknown, pauseMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const request = httpRequest(
      url,
      {
        method: 'POST',
        agent: false, // its own connection, closed at the end (no keep-alive socket left behind)
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          authorization: 'Bearer test-gateway-key',
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let paused = false;
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          if (paused) return;
          paused = true;
          response.pause();
          setTimeout(() => response.resume(), pauseMs);
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}
