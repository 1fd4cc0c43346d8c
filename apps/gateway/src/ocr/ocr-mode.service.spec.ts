import {
  GatewayError,
  LruOcrCache,
  silentLogger,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatRequest,
} from '@app/core';
import type { ChatRunContext, ChatRunResult } from '../chat/chat.service';
import type { GatewayConfig } from '../config/gateway-config';
import type { BackendRegistry } from '../routing/backend-registry';
import type { Route } from '../routing/model-router';
import { OcrModeService, type ChatRunner } from './ocr-mode.service';

const png = (marker: number) =>
  `data:image/png;base64,${Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, marker]).toString('base64')}`;

const config = {
  models: [{ id: 'local-ocr', backend: 'local-ocr', upstreamModel: 'local-ocr' }],
  backends: [],
  ocr: { defaultModel: 'local-ocr', concurrency: 2, cacheEntries: 10, fallbackModels: [] },
} as unknown as GatewayConfig;

const routable = new Set(['local-ocr', 'gpt-4o', 'deepseek-chat']);
const registry = {
  router: {
    resolve: (model: string) => {
      if (!routable.has(model)) throw GatewayError.modelNotFound(model);
      return {} as Route;
    },
  },
} as unknown as BackendRegistry;

const route = {} as Route;
const completion = (model: string, content: string, total: number): ChatCompletion => ({
  id: 'c',
  object: 'chat.completion',
  created: 0,
  model,
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content, refusal: null },
      finish_reason: 'stop',
      logprobs: null,
    },
  ],
  usage: { prompt_tokens: total - 1, completion_tokens: 1, total_tokens: total },
});

/** Answers analyses with "seen <marker>" (10 tokens) and the target with "answer" (100 tokens). */
function fakePipeline(stream = false) {
  const calls: Array<{ request: ChatRequest; context: ChatRunContext }> = [];
  const next: ChatRunner = async (request, context) => {
    calls.push({ request: structuredClone(request), context });
    if (request.model !== 'deepseek-chat') {
      const part = (request.messages[0].content as Array<{ type: string; image_url?: { url: string } }>)[1];
      const marker = Buffer.from(part.image_url!.url.split(',')[1], 'base64')[8];
      return {
        kind: 'completion',
        completion: completion(request.model, `seen ${marker}`, 10),
        report: { droppedParameters: [] },
        route,
      };
    }
    if (!context.stream) {
      return {
        kind: 'completion',
        completion: completion(request.model, 'answer', 100),
        report: { droppedParameters: [] },
        route,
      };
    }
    async function* chunks(): AsyncIterable<ChatCompletionChunk> {
      yield {
        id: 'c',
        object: 'chat.completion.chunk',
        created: 0,
        model: 'deepseek-chat',
        choices: [{ index: 0, delta: { content: 'answer' }, finish_reason: 'stop' }],
      };
      yield {
        id: 'c',
        object: 'chat.completion.chunk',
        created: 0,
        model: 'deepseek-chat',
        choices: [],
        usage: { prompt_tokens: 99, completion_tokens: 1, total_tokens: 100 },
      };
    }
    return {
      kind: 'stream',
      chunks: chunks(),
      report: { droppedParameters: [] },
      route,
    } satisfies ChatRunResult;
  };
  return { next, calls, stream };
}

const context = (stream = false): ChatRunContext => ({
  requestId: 'r1',
  signal: new AbortController().signal,
  stream,
});
const twoImages = (model: string, extra: Record<string, unknown> = {}) =>
  ({
    model,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What do they say?' },
          { type: 'image_url', image_url: { url: png(1) } },
          { type: 'image_url', image_url: { url: png(2) } },
        ],
      },
    ],
    ...extra,
  }) as ChatRequest;

const service = () => new OcrModeService(config, registry, new LruOcrCache(), silentLogger);

describe('OcrModeService', () => {
  it('leaves requests that are not in OCR mode to the caller', async () => {
    const { next, calls } = fakePipeline();
    await expect(service().run(twoImages('deepseek-chat'), context(), next)).resolves.toBeUndefined();
    expect(calls).toHaveLength(0);
  });

  it('analyses each image, then sends the target the labelled text and sums the usage', async () => {
    const { next, calls } = fakePipeline();
    const result = await service().run(twoImages('deepseek-chat-ocr'), context(), next);
    expect(calls.map((call) => call.request.model)).toEqual(['local-ocr', 'local-ocr', 'deepseek-chat']);
    expect(calls[0].context.stream).toBe(false);
    expect((calls[0].request.messages[0].content as Array<{ text?: string }>)[0].text).toContain(
      'What do they say?',
    );
    expect(calls[2].request.messages[0].content).toEqual([
      { type: 'text', text: 'What do they say?' },
      { type: 'text', text: '[Image 1 — analysed by local-ocr]: seen 1' },
      { type: 'text', text: '[Image 2 — analysed by local-ocr]: seen 2' },
    ]);
    if (result?.kind !== 'completion') throw new Error('expected a completion');
    expect(result.completion.model).toBe('deepseek-chat-ocr');
    expect(result.completion.usage).toEqual({ prompt_tokens: 117, completion_tokens: 3, total_tokens: 120 });
    expect((result.completion as unknown as { x_iris: unknown }).x_iris).toEqual({
      ocr: {
        model: 'local-ocr',
        images: [
          {
            index: 1,
            param: 'messages[0].content[1]',
            model: 'local-ocr',
            cached: false,
            usage: { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 },
          },
          {
            index: 2,
            param: 'messages[0].content[2]',
            model: 'local-ocr',
            cached: false,
            usage: { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 },
          },
        ],
        usage: { prompt_tokens: 18, completion_tokens: 2, total_tokens: 20 },
      },
    });
    expect(result.headers['x-iris-ocr-usage']).toBe(
      'model=local-ocr; images=2; cached=0; prompt_tokens=18; completion_tokens=2; total_tokens=20',
    );
  });

  it('uses ocr_model and never sends it to the target', async () => {
    const { next, calls } = fakePipeline();
    await service().run(twoImages('deepseek-chat', { ocr_model: 'gpt-4o' }), context(), next);
    expect(calls.map((call) => call.request.model)).toEqual(['gpt-4o', 'gpt-4o', 'deepseek-chat']);
    expect(calls.every((call) => !('ocr_model' in call.request))).toBe(true);
  });

  it('streams the target with the analyses added to its usage chunk', async () => {
    const { next } = fakePipeline();
    const result = await service().run(twoImages('deepseek-chat-ocr'), context(true), next);
    if (result?.kind !== 'stream') throw new Error('expected a stream');
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of result.chunks) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.model)).toEqual(['deepseek-chat-ocr', 'deepseek-chat-ocr']);
    expect(chunks[1].usage).toEqual({ prompt_tokens: 117, completion_tokens: 3, total_tokens: 120 });
    expect((chunks[1] as unknown as { x_iris: { ocr: { model: string } } }).x_iris.ocr.model).toBe(
      'local-ocr',
    );
  });

  it('answers 404 naming ocr_model when the OCR model does not route', async () => {
    const { next, calls } = fakePipeline();
    await expect(
      service().run(twoImages('deepseek-chat', { ocr_model: 'nope' }), context(), next),
    ).rejects.toMatchObject({
      status: 404,
      param: 'ocr_model',
    });
    expect(calls).toHaveLength(0);
  });

  it('answers 404 for a target that does not route, before any analysis', async () => {
    const { next, calls } = fakePipeline();
    await expect(service().run(twoImages('unknown-model-ocr'), context(), next)).rejects.toMatchObject({
      status: 404,
      param: 'model',
    });
    expect(calls).toHaveLength(0);
  });

  it('serves repeated images from the cache', async () => {
    const { next, calls } = fakePipeline();
    const ocr = service();
    await ocr.run(twoImages('deepseek-chat-ocr'), context(), next);
    const again = await ocr.run(twoImages('deepseek-chat-ocr'), context(), next);
    expect(calls.map((call) => call.request.model)).toEqual([
      'local-ocr',
      'local-ocr',
      'deepseek-chat',
      'deepseek-chat',
    ]);
    expect(again?.headers['x-iris-ocr-usage']).toContain('cached=2');
  });
});
