import { GatewayError } from '../gateway-error';
import type { PreparedImage } from '../images/prepared-image';
import { decodeBase64 } from '../images/base64-bytes';
import type { ChatRequest } from '../provider-adapter';
import { applyOcrMode, type OcrAnalyser, type OcrModeOptions } from './apply-ocr-mode';
import { LruOcrCache } from './ocr-cache';

// Tiny images that differ in one byte: only the magic number matters to the sniffing.
const png = (last: number): string =>
  `data:image/png;base64,${Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, last]).toString('base64')}`;
const imagePart = (url: string) => ({ type: 'image_url' as const, image_url: { url } });

function twoImageRequest(): ChatRequest {
  return {
    model: 'deepseek-chat',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Compare these.' }, imagePart(png(1))] },
      { role: 'assistant', content: 'Which aspect?' },
      { role: 'user', content: [imagePart(png(2)), { type: 'text', text: 'The totals, please.' }] },
    ],
  };
}

/** An analyser that answers "text of <last byte>" and counts its calls. */
function fakeAnalyser(usage = { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 }) {
  const calls: Array<{ image: PreparedImage; prompt: string; signal: AbortSignal }> = [];
  const analyse: OcrAnalyser = async (image, prompt, signal) => {
    calls.push({ image, prompt, signal });
    const bytes = image.source === 'base64' ? decodeBase64(image.data) : Buffer.alloc(9);
    return { text: `text of ${bytes[8]}`, usage };
  };
  return { analyse, calls };
}

function options(overrides: Partial<OcrModeOptions> & Pick<OcrModeOptions, 'analyse'>): OcrModeOptions {
  return {
    ocrModel: 'local-ocr',
    cache: new LruOcrCache(),
    concurrency: 4,
    signal: new AbortController().signal,
    ...overrides,
  };
}

describe('applyOcrMode', () => {
  it('replaces every image in place by a labelled analysis and sums the usage', async () => {
    const request = twoImageRequest();
    const { analyse, calls } = fakeAnalyser();
    const result = await applyOcrMode(request, options({ analyse }));

    expect(request.messages[1].content).toEqual([
      { type: 'text', text: 'Compare these.' },
      { type: 'text', text: '[Image 1 — analysed by local-ocr]: text of 1' },
    ]);
    expect(request.messages[3].content).toEqual([
      { type: 'text', text: '[Image 2 — analysed by local-ocr]: text of 2' },
      { type: 'text', text: 'The totals, please.' },
    ]);
    expect(JSON.stringify(request)).not.toContain('image_url');
    expect(calls).toHaveLength(2);
    expect(calls[0].prompt).toContain('The totals, please.');
    expect(result.analyses).toEqual([
      {
        index: 1,
        param: 'messages[1].content[1]',
        model: 'local-ocr',
        cached: false,
        usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 },
      },
      {
        index: 2,
        param: 'messages[3].content[0]',
        model: 'local-ocr',
        cached: false,
        usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 },
      },
    ]);
    expect(result.usage).toEqual({ prompt_tokens: 200, completion_tokens: 20, total_tokens: 220 });
  });

  it('also analyses images inside tool results', async () => {
    const request = {
      model: 'm',
      messages: [
        { role: 'user', content: 'Take a screenshot.' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 't1', type: 'function', function: { name: 'shot', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 't1', content: [imagePart(png(9))] },
      ],
    } as unknown as ChatRequest;
    const { analyse } = fakeAnalyser();
    const result = await applyOcrMode(request, options({ analyse }));
    expect(result.analyses[0].param).toBe('messages[2].content[0]');
    expect(request.messages[2].content).toEqual([
      { type: 'text', text: '[Image 1 — analysed by local-ocr]: text of 9' },
    ]);
  });

  it('leaves a request without images alone', async () => {
    const request: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
    const { analyse, calls } = fakeAnalyser();
    const result = await applyOcrMode(request, options({ analyse }));
    expect(result).toEqual({
      analyses: [],
      usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    });
    expect(calls).toHaveLength(0);
    expect(request.messages[0].content).toBe('hi');
  });

  it('serves a second request from the cache without an analysis call', async () => {
    const cache = new LruOcrCache();
    const { analyse, calls } = fakeAnalyser();
    await applyOcrMode(twoImageRequest(), options({ analyse, cache }));
    const again = twoImageRequest();
    const result = await applyOcrMode(again, options({ analyse, cache }));
    expect(calls).toHaveLength(2);
    expect(result.analyses.map((analysis) => analysis.cached)).toEqual([true, true]);
    expect(result.usage.total_tokens).toBe(0);
    expect(JSON.stringify(again.messages)).toContain('[Image 2 — analysed by local-ocr]: text of 2');
  });

  it.each([
    ['another OCR model', { ocrModel: 'gpt-4o' }],
    ['another prompt version', { promptVersion: 'next' }],
  ])('does not reuse the cache for %s', async (_name, change) => {
    const cache = new LruOcrCache();
    const { analyse, calls } = fakeAnalyser();
    await applyOcrMode(twoImageRequest(), options({ analyse, cache }));
    await applyOcrMode(twoImageRequest(), options({ analyse, cache, ...change }));
    expect(calls).toHaveLength(4);
  });

  it('analyses the same image twice in one request only once', async () => {
    const request: ChatRequest = {
      model: 'm',
      messages: [{ role: 'user', content: [imagePart(png(7)), imagePart(png(7))] }],
    };
    const { analyse, calls } = fakeAnalyser();
    const result = await applyOcrMode(request, options({ analyse }));
    expect(calls).toHaveLength(1);
    expect(result.analyses.map((analysis) => analysis.cached)).toEqual([false, true]);
    expect(result.usage.total_tokens).toBe(110);
  });

  it('analyses URL images every time (no bytes to key the cache by)', async () => {
    const cache = new LruOcrCache();
    const { analyse, calls } = fakeAnalyser();
    const request = (): ChatRequest => ({
      model: 'm',
      messages: [{ role: 'user', content: [imagePart('https://example.com/a.png')] }],
    });
    await applyOcrMode(request(), options({ analyse, cache }));
    await applyOcrMode(request(), options({ analyse, cache }));
    expect(calls).toHaveLength(2);
    expect(calls[0].image).toEqual({ source: 'url', url: 'https://example.com/a.png' });
  });

  it('keeps at most `concurrency` analyses in flight', async () => {
    let running = 0;
    let peak = 0;
    const analyse: OcrAnalyser = async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      return { text: 'x' };
    };
    const request: ChatRequest = {
      model: 'm',
      messages: [{ role: 'user', content: [1, 2, 3, 4, 5].map((byte) => imagePart(png(byte))) }],
    };
    await applyOcrMode(request, options({ analyse, concurrency: 2 }));
    expect(peak).toBe(2);
  });

  it('fails with a 502 naming the image and the upstream reason, leaving the request untouched', async () => {
    const request = twoImageRequest();
    const before = JSON.stringify(request);
    const analyse: OcrAnalyser = async (image) => {
      if (image.source === 'base64' && decodeBase64(image.data)[8] === 2) {
        throw new GatewayError(429, 'Rate limit reached for gpt-4o.', { provider: 'openai' });
      }
      return { text: 'fine' };
    };
    const failure = applyOcrMode(request, options({ analyse, ocrModel: 'gpt-4o' }));
    await expect(failure).rejects.toMatchObject({
      status: 502,
      param: 'messages[3].content[0]',
      code: 'ocr_analysis_failed',
      message:
        "OCR analysis of image 2 (messages[3].content[0]) by model 'gpt-4o' failed (upstream status 429): Rate limit reached for gpt-4o.",
    });
    expect(JSON.stringify(request)).toBe(before);
  });

  it('does not cache a failed analysis', async () => {
    const cache = new LruOcrCache();
    await expect(
      applyOcrMode(
        twoImageRequest(),
        options({ cache, analyse: async () => Promise.reject(new Error('down')) }),
      ),
    ).rejects.toThrow('down');
    expect(cache.size).toBe(0);
  });

  it('cancels pending analyses when the client disconnects', async () => {
    const client = new AbortController();
    const seen: AbortSignal[] = [];
    const analyse: OcrAnalyser = (_image, _prompt, signal) => {
      seen.push(signal);
      return new Promise((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    };
    const request: ChatRequest = {
      model: 'm',
      messages: [{ role: 'user', content: [1, 2, 3].map((byte) => imagePart(png(byte))) }],
    };
    const pending = applyOcrMode(request, options({ analyse, concurrency: 2, signal: client.signal }));
    await new Promise((resolve) => setImmediate(resolve));
    client.abort();
    await expect(pending).rejects.toMatchObject({ status: 499, code: 'client_closed_request' });
    expect(seen).toHaveLength(2); // the third never started
    expect(seen.every((signal) => signal.aborted)).toBe(true);
  });

  it('does nothing when the client is already gone', async () => {
    const client = new AbortController();
    client.abort();
    const { analyse, calls } = fakeAnalyser();
    await expect(
      applyOcrMode(twoImageRequest(), options({ analyse, signal: client.signal })),
    ).rejects.toMatchObject({
      status: 499,
    });
    expect(calls).toHaveLength(0);
  });

  it('aborts the other analyses after the first failure', async () => {
    const seen: AbortSignal[] = [];
    const analyse: OcrAnalyser = (image, _prompt, signal) => {
      seen.push(signal);
      if (image.source === 'base64' && decodeBase64(image.data)[8] === 1)
        return Promise.reject(new Error('bad'));
      return new Promise(() => undefined);
    };
    await expect(applyOcrMode(twoImageRequest(), options({ analyse }))).rejects.toMatchObject({
      status: 502,
    });
    expect(seen[1].aborted).toBe(true);
  });

  it('reads images as tolerantly as the image layer (raw base64 with line breaks)', async () => {
    const base64 = png(3).split(',')[1];
    const request: ChatRequest = {
      model: 'm',
      messages: [{ role: 'user', content: [imagePart(`${base64.slice(0, 4)}\n${base64.slice(4)}`)] }],
    };
    const { analyse, calls } = fakeAnalyser();
    await applyOcrMode(request, options({ analyse }));
    expect(calls[0].image).toEqual({ source: 'base64', mediaType: 'image/png', data: base64 });
  });

  it('rejects an image part that is neither a URL nor a data URI with a 400 naming it', async () => {
    const request: ChatRequest = {
      model: 'm',
      messages: [{ role: 'user', content: [imagePart('ftp://x')] }],
    };
    await expect(applyOcrMode(request, options(fakeAnalyser()))).rejects.toMatchObject({
      status: 400,
      param: 'messages[0].content[0].image_url.url',
    });
  });
});

describe('applyOcrMode with fallback models', () => {
  it('analyses with the next model when the OCR model fails, and labels the image with the model that answered', async () => {
    const tried: string[] = [];
    const analyse: OcrAnalyser = async (_image, _prompt, _signal, model) => {
      tried.push(model);
      if (model === 'gpt-4o') throw new GatewayError(429, 'Rate limit reached.');
      return { text: `read by ${model}`, usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
    };
    const request = twoImageRequest();
    const result = await applyOcrMode(
      request,
      options({
        ocrModel: 'gpt-4o',
        fallbackModels: ['claude-haiku-4-5', 'local-ocr'],
        analyse,
        concurrency: 1,
      }),
    );
    expect(tried).toEqual(['gpt-4o', 'claude-haiku-4-5', 'gpt-4o', 'claude-haiku-4-5']);
    expect(result.analyses.map((analysis) => analysis.model)).toEqual([
      'claude-haiku-4-5',
      'claude-haiku-4-5',
    ]);
    expect(JSON.stringify(request.messages)).toContain(
      '[Image 1 — analysed by claude-haiku-4-5]: read by claude-haiku-4-5',
    );
  });

  it('answers 502 naming the image and every model tried when all fail', async () => {
    const analyse: OcrAnalyser = async (_image, _prompt, _signal, model) => {
      throw new GatewayError(503, `${model} is overloaded`);
    };
    const request = twoImageRequest();
    const error = await applyOcrMode(
      request,
      options({ ocrModel: 'gpt-4o', fallbackModels: ['local-ocr'], analyse }),
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      status: 502,
      code: 'ocr_analysis_failed',
      param: 'messages[1].content[1]',
    });
    expect((error as Error).message).toContain(
      "by model 'gpt-4o' failed (upstream status 503): gpt-4o is overloaded",
    );
    expect((error as Error).message).toContain("then by model 'local-ocr' failed (upstream status 503)");
    // All-or-nothing: the request still has its images.
    expect(JSON.stringify(request.messages)).toContain('image_url');
  });

  it('does not try fallbacks after the client went away', async () => {
    const controller = new AbortController();
    const tried: string[] = [];
    const analyse: OcrAnalyser = async (_image, _prompt, _signal, model) => {
      tried.push(model);
      controller.abort();
      throw GatewayError.cancelled();
    };
    await expect(
      applyOcrMode(
        twoImageRequest(),
        options({
          ocrModel: 'gpt-4o',
          fallbackModels: ['local-ocr'],
          analyse,
          signal: controller.signal,
          concurrency: 1,
        }),
      ),
    ).rejects.toMatchObject({ status: 499 });
    expect(tried).toEqual(['gpt-4o']);
  });
});
