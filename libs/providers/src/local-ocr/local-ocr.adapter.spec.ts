import type { CallOptions, ChatCompletionChunk, ChatRequest } from '@app/core';
import { LocalOcrAdapter } from './local-ocr.adapter';
import type { OcrEngine } from './tesseract-engine';

const png = (marker: number) =>
  `data:image/png;base64,${Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, marker]).toString('base64')}`;

/** Reads "text <marker byte>" from each image. */
function fakeEngine(delayMs = 0) {
  const signals: AbortSignal[] = [];
  const engine: OcrEngine & { closed: boolean } = {
    closed: false,
    recognize: (image, _param, signal) => {
      signals.push(signal);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => resolve(`text ${image[8]}\n`), delayMs);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason);
        });
      });
    },
    close: async () => {
      engine.closed = true;
    },
  };
  return { engine, signals };
}

const callOptions = (signal = new AbortController().signal): CallOptions => ({
  model: 'local-ocr',
  signal,
  requestId: 'r1',
  report: { droppedParameters: [] },
});

const request = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'local-ocr',
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Read these' },
        { type: 'image_url', image_url: { url: png(1) } },
        { type: 'image_url', image_url: { url: png(2) } },
      ],
    },
  ],
  ...extra,
});

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe('LocalOcrAdapter', () => {
  it('takes inline images of all four formats', () => {
    const adapter = new LocalOcrAdapter('local-ocr', fakeEngine().engine, 1000);
    expect(adapter.imageRules()).toEqual({
      acceptsImageUrls: false,
      acceptedMediaTypes: ['image/png', 'image/jpeg', 'image/webp', 'image/gif'],
    });
  });

  it('lists its model', async () => {
    await expect(new LocalOcrAdapter('ocr', fakeEngine().engine, 1000).listModels()).resolves.toEqual([
      { id: 'local-ocr', ownedBy: 'ocr' },
    ]);
  });

  it('answers with the text of every image and an honest usage', async () => {
    const adapter = new LocalOcrAdapter('local-ocr', fakeEngine().engine, 1000);
    const completion = await adapter.complete(request(), callOptions());
    expect(completion.choices[0].message.content).toBe('[Image 1]\ntext 1\n\n[Image 2]\ntext 2');
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage).toEqual({ prompt_tokens: 0, completion_tokens: 9, total_tokens: 9 });
  });

  it('reports dropped parameters', async () => {
    const adapter = new LocalOcrAdapter('local-ocr', fakeEngine().engine, 1000);
    const options = callOptions();
    await adapter.complete(request({ temperature: 0.3, user: 'u' }), options);
    expect(options.report.droppedParameters).toEqual(['temperature', 'user']);
  });

  it('applies max_tokens as a cut with finish_reason length', async () => {
    const adapter = new LocalOcrAdapter('local-ocr', fakeEngine().engine, 1000);
    const completion = await adapter.complete(request({ max_tokens: 2 }), callOptions());
    expect(completion.choices[0]).toMatchObject({
      message: { content: '[Image 1' },
      finish_reason: 'length',
    });
  });

  it('streams the same text, then a usage chunk', async () => {
    const adapter = new LocalOcrAdapter('local-ocr', fakeEngine().engine, 1000);
    const chunks = await collect(adapter.stream(request(), callOptions()));
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('[Image 1]\ntext 1\n\n[Image 2]\ntext 2');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 9 } });
  });

  it('fails before the first chunk (a real status) when there is no image', async () => {
    const adapter = new LocalOcrAdapter('local-ocr', fakeEngine().engine, 1000);
    const noImage = { model: 'local-ocr', messages: [{ role: 'user' as const, content: 'hi' }] };
    await expect(collect(adapter.stream(noImage, callOptions()))).rejects.toMatchObject({
      status: 400,
      code: 'no_image',
    });
  });

  it('stops reading when the client disconnects (499)', async () => {
    const { engine, signals } = fakeEngine(5000);
    const adapter = new LocalOcrAdapter('local-ocr', engine, 10_000);
    const client = new AbortController();
    const pending = adapter.complete(request(), callOptions(client.signal));
    client.abort();
    await expect(pending).rejects.toMatchObject({ status: 499 });
    expect(signals.every((signal) => signal.aborted)).toBe(true);
  });

  it('answers 504 when the engine exceeds the backend timeout', async () => {
    const adapter = new LocalOcrAdapter('local-ocr', fakeEngine(5000).engine, 20);
    await expect(adapter.complete(request(), callOptions())).rejects.toMatchObject({ status: 504 });
  });

  it('closes the engine', async () => {
    const { engine } = fakeEngine();
    await new LocalOcrAdapter('local-ocr', engine, 1000).close();
    expect(engine.closed).toBe(true);
  });
});
