import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BackendSettings, CallOptions, ChatCompletionChunk, ChatRequest } from '@app/core';
import { sseBodyOf } from './__fixtures__/replay-gemini-fixture';
import { GeminiAdapter } from './gemini.adapter';
import { geminiProvider } from './index';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let handler: Handler;
const seen: Array<{ url: string; headers: IncomingMessage['headers']; body: string }> = [];
const closedEarly: number[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      seen.push({ url: request.url ?? '', headers: request.headers, body });
      response.on('close', () => {
        if (!response.writableFinished) closedEarly.push(Date.now());
      });
      handler(request, body, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  seen.length = 0;
  closedEarly.length = 0;
});

const API_KEY = 'AIzaSyADAPTERTEST-0123456789abcdef';

function adapter(overrides: Partial<BackendSettings> = {}): GeminiAdapter {
  return new GeminiAdapter({
    name: 'gemini',
    provider: 'gemini',
    baseUrl,
    apiKey: API_KEY,
    headers: { 'x-custom': 'yes' },
    timeoutMs: 5000,
    options: {},
    modelOptions: {},
    ...overrides,
  });
}

function callOptions(signal = new AbortController().signal): CallOptions {
  return { model: 'gemini-2.0-flash', signal, requestId: 'r1', report: { droppedParameters: [] } };
}

const request: ChatRequest = {
  model: 'gemini-2.0-flash',
  messages: [{ role: 'user', content: 'why is the sky blue?' }],
};

function writeSse(response: ServerResponse, body: string): void {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  response.end(body);
}

describe('GeminiAdapter wiring (real HTTP on 127.0.0.1)', () => {
  it('streams via :streamGenerateContent?alt=sse with the key in x-goog-api-key only', async () => {
    handler = (_request, _body, response) => writeSse(response, sseBodyOf('gemini-text.stream.jsonl'));
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of adapter().stream(request, callOptions())) chunks.push(chunk);
    expect(seen[0].url).toBe('/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse');
    expect(seen[0].headers['x-goog-api-key']).toBe(API_KEY);
    expect(seen[0].headers['x-custom']).toBe('yes');
    expect(seen[0].url).not.toContain('key=');
    expect(JSON.parse(seen[0].body)).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'why is the sky blue?' }] }],
      generationConfig: {},
    });
    expect(chunks.at(-1)!.usage).toBeDefined();
  });

  it('complete via :generateContent', async () => {
    handler = (_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      response.end(
        JSON.stringify({
          candidates: [{ content: { role: 'model', parts: [{ text: 'Blue.' }] }, finishReason: 'STOP' }],
          responseId: 'abc',
        }),
      );
    };
    const completion = await adapter().complete({ ...request, logit_bias: { '1': 1 } }, callOptions());
    expect(seen[0].url).toBe('/v1beta/models/gemini-2.0-flash:generateContent');
    expect(completion.choices[0].message.content).toBe('Blue.');
  });

  it('reports dropped parameters on the call report', async () => {
    handler = (_request, _body, response) => writeSse(response, sseBodyOf('gemini-text.stream.jsonl'));
    const options = callOptions();
    for await (const _chunk of adapter().stream({ ...request, logit_bias: { '1': 1 }, user: 'u' }, options))
      break;
    expect(options.report.droppedParameters.sort()).toEqual(['logit_bias', 'user']);
  });

  it('429 with Retry-After header → 429 retryAfter, no SDK retry', async () => {
    handler = (_request, _body, response) => {
      response.writeHead(429, { 'content-type': 'application/json; charset=UTF-8', 'retry-after': '17' });
      response.end(
        JSON.stringify({
          error: {
            code: 429,
            message: 'Resource has been exhausted (e.g. check quota).',
            status: 'RESOURCE_EXHAUSTED',
          },
        }),
      );
    };
    await expect(adapter().complete(request, callOptions())).rejects.toMatchObject({
      status: 429,
      retryAfter: '17',
      type: 'rate_limit_error',
    });
    expect(seen).toHaveLength(1);
  });

  it('503 before the first event → GatewayError 503 from the stream, one request only', async () => {
    handler = (_request, _body, response) => {
      response.writeHead(503, { 'content-type': 'application/json; charset=UTF-8' });
      response.end(
        JSON.stringify({
          error: {
            code: 503,
            message: 'The model is overloaded. Please try again later.',
            status: 'UNAVAILABLE',
          },
        }),
      );
    };
    await expect(
      adapter().stream(request, callOptions())[Symbol.asyncIterator]().next(),
    ).rejects.toMatchObject({ status: 503 });
    expect(seen).toHaveLength(1);
  });

  it('deadline: silence longer than timeoutMs → 504 and the upstream request is closed', async () => {
    handler = (_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: {"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"}}]}\r\n\r\n');
    };
    const iterator = adapter({ timeoutMs: 150 }).stream(request, callOptions())[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    await expect(iterator.next()).rejects.toMatchObject({ status: 504 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closedEarly).toHaveLength(1);
  });

  it('complete: no answer within timeoutMs → 504 and the upstream request is closed', async () => {
    handler = () => undefined; // never answers
    const startedAt = Date.now();
    await expect(adapter({ timeoutMs: 150 }).complete(request, callOptions())).rejects.toMatchObject({
      status: 504,
    });
    expect(Date.now() - startedAt).toBeLessThan(2000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closedEarly).toHaveLength(1);
  });

  it('complete: the client disconnects while waiting → 499 and the upstream request is closed', async () => {
    handler = () => undefined;
    const controller = new AbortController();
    const pending = adapter().complete(request, callOptions(controller.signal));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toHaveLength(1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ status: 499 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closedEarly).toHaveLength(1);
  });

  it('complete: a client already gone sends nothing upstream', async () => {
    handler = (_request, _body, response) => response.end('{}');
    const controller = new AbortController();
    controller.abort();
    await expect(adapter().complete(request, callOptions(controller.signal))).rejects.toMatchObject({
      status: 499,
    });
    expect(seen).toHaveLength(0);
  });

  it.each([
    ['the client disconnects (signal aborted)', 'abort'],
    ['the consumer stops iterating', 'return'],
  ])('%s → upstream closed, no unhandled rejection', async (_name, how) => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      handler = (_request, _body, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(
          'data: {"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"}}],"responseId":"x"}\r\n\r\n',
        );
      };
      const controller = new AbortController();
      const iterator = adapter().stream(request, callOptions(controller.signal))[Symbol.asyncIterator]();
      expect((await iterator.next()).value.choices[0].delta.role).toBe('assistant');
      if (how === 'abort') {
        expect((await iterator.next()).value.choices[0].delta.content).toBe('Hi');
        const pending = iterator.next();
        controller.abort();
        await expect(pending).rejects.toMatchObject({ status: 499 });
      } else {
        await iterator.return(undefined);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(closedEarly).toHaveLength(1);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });

  it('a 400 from conversion happens before any request', async () => {
    await expect(
      adapter().complete({ ...request, tool_choice: 'required' }, callOptions()),
    ).rejects.toMatchObject({ status: 400 });
    expect(seen).toHaveLength(0);
  });

  it('needs an API key and validates options at boot', () => {
    expect(() => adapter({ apiKey: undefined })).toThrow(/API key/);
    expect(() => adapter({ options: { nope: 1 } })).toThrow(/unknown Gemini option/);
    expect(() => adapter({ modelOptions: { 'gemini-x': { acceptsImageUrls: 'yes' } } })).toThrow(
      /acceptsImageUrls/,
    );
  });

  it('image rules per model', () => {
    const rules = adapter({ modelOptions: { 'gemini-url': { acceptsImageUrls: true } } });
    expect(rules.imageRules('gemini-url').acceptsImageUrls).toBe(true);
    expect(rules.imageRules('gemini-2.0-flash')).toEqual({
      acceptsImageUrls: false,
      acceptedMediaTypes: ['image/png', 'image/jpeg', 'image/webp'],
      maxImageBytes: 20971520,
    });
  });
});

describe('geminiProvider', () => {
  it('is the gemini definition', () => {
    expect(geminiProvider).toMatchObject({
      kind: 'gemini',
      defaultModelPatterns: ['gemini-*'],
      environment: { apiKey: 'GEMINI_API_KEY', baseUrl: 'GEMINI_BASE_URL' },
    });
    expect(geminiProvider.defaultModels!.length).toBeGreaterThan(0);
  });
});
