import OpenAI from 'openai';
import sharp from 'sharp';
import type { ChatCompletionContentPart } from 'openai/resources/chat/completions';
import { startGateway, type StartedGateway } from './support/gateway';
import { renderTextImage } from './support/render-text-image';
import type { FakeServer } from './support/fake-server';
import {
  fakeAnalysisOf,
  ocrBackendsYaml,
  startTextOnlyFake,
  startVisionFake,
  type VisionFake,
} from './fakes/ocr-upstreams';

jest.setTimeout(60_000);

/** A small real PNG of one colour: distinct bytes per colour, so distinct cache keys. */
async function pngDataUri(colour: string): Promise<string> {
  const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: colour } })
    .png()
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** Black text on white, rendered with the bundled DejaVu font, as the real engine test image. */
async function renderedTextDataUri(lines: string[]): Promise<string> {
  return `data:image/png;base64,${(await renderTextImage(lines)).toString('base64')}`;
}

const imagePart = (url: string): ChatCompletionContentPart => ({ type: 'image_url', image_url: { url } });

type UpstreamMessage = { role: string; content: unknown };
const lastTargetMessages = (upstream: FakeServer): UpstreamMessage[] =>
  (upstream.requests.at(-1)!.json as { messages: UpstreamMessage[] }).messages;

describe('OCR mode (e2e, official openai SDK)', () => {
  let target: FakeServer;
  let vision: VisionFake;
  let iris: StartedGateway;
  let red: string;
  let blue: string;

  beforeAll(async () => {
    target = await startTextOnlyFake('sk-text');
    vision = await startVisionFake('sk-vision');
    red = await pngDataUri('#ff0000');
    blue = await pngDataUri('#0000ff');
    iris = await startGateway({
      configYaml: `${backendsYaml()}ocr:
  defaultModel: fake-vision
  concurrency: 2
`,
      env: { IRIS_ALLOW_PRIVATE_IMAGE_HOSTS: 'true' },
    });
  });

  afterAll(async () => {
    await iris.close();
    await target.close();
    await vision.server.close();
  });

  beforeEach(() => vision.behave('answer'));

  /** The text-only target and the vision fake as backends; a test may append more. */
  const backendsYaml = (): string => `
backends:
${ocrBackendsYaml(target, vision)}`;

  it('a -ocr model: the text-only upstream sees no image parts and both labelled analyses in place; usage is summed', async () => {
    const { data, response } = await iris.client.chat.completions
      .create({
        model: 'deepseek-chat-ocr',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What are the totals on these receipts?' },
              imagePart(red),
              imagePart(blue),
            ],
          },
        ],
      })
      .withResponse();

    expect(data.model).toBe('deepseek-chat-ocr');
    expect(data.choices[0].message.content).toBe('The totals are 12 and 34.');
    const upstreamRequest = target.requests.at(-1)!.json as { model: string };
    expect(upstreamRequest.model).toBe('deepseek-chat');
    expect(lastTargetMessages(target)).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What are the totals on these receipts?' },
          { type: 'text', text: `[Image 1 — analysed by fake-vision]: ${fakeAnalysisOf(red)}` },
          { type: 'text', text: `[Image 2 — analysed by fake-vision]: ${fakeAnalysisOf(blue)}` },
        ],
      },
    ]);
    // The analysis prompt is task-aware: it quotes the question.
    const analysis = vision.server.requests.at(-1)!.json as {
      messages: Array<{ content: Array<{ type: string; text?: string }> }>;
    };
    expect(analysis.messages[0].content[0].text).toContain('What are the totals on these receipts?');
    // Each fake call reports 11 + 7 = 18 tokens: the target and two analyses.
    expect(data.usage).toMatchObject({ prompt_tokens: 33, completion_tokens: 21, total_tokens: 54 });
    const breakdown = (
      data as unknown as { x_iris: { ocr: { model: string; images: unknown[]; usage: unknown } } }
    ).x_iris.ocr;
    expect(breakdown.model).toBe('fake-vision');
    expect(breakdown.images).toHaveLength(2);
    expect(breakdown.usage).toEqual({ prompt_tokens: 22, completion_tokens: 14, total_tokens: 36 });
    expect(response.headers.get('x-iris-ocr-usage')).toBe(
      'model=fake-vision; images=2; cached=0; prompt_tokens=22; completion_tokens=14; total_tokens=36',
    );
  });

  it('the second request with the same images makes no analysis call (cache)', async () => {
    const green = await pngDataUri('#00ff00');
    const ask = () =>
      iris.client.chat.completions
        .create({
          model: 'deepseek-chat-ocr',
          messages: [{ role: 'user', content: [{ type: 'text', text: 'Read it.' }, imagePart(green)] }],
        })
        .withResponse();
    await ask();
    const callsAfterFirst = vision.analysisCalls();
    const second = await ask();
    expect(vision.analysisCalls()).toBe(callsAfterFirst);
    expect(second.response.headers.get('x-iris-ocr-usage')).toContain('cached=1');
    expect(second.data.usage?.total_tokens).toBe(18);
    expect((lastTargetMessages(target)[0].content as Array<{ text: string }>)[1].text).toBe(
      `[Image 1 — analysed by fake-vision]: ${fakeAnalysisOf(green)}`,
    );
  });

  it('ocr_model on a request picks the analysing model and never reaches the target', async () => {
    const white = await pngDataUri('#ffffff');
    const completion = await iris.client.chat.completions.create({
      model: 'deepseek-chat',
      messages: [{ role: 'user', content: [imagePart(white), { type: 'text', text: 'Describe.' }] }],
      // @ts-expect-error Iris extension field
      ocr_model: 'fake-vision',
    });
    expect(completion.model).toBe('deepseek-chat');
    const sent = target.requests.at(-1)!.json as Record<string, unknown>;
    expect(sent).not.toHaveProperty('ocr_model');
    expect(lastTargetMessages(target)[0].content).toEqual([
      { type: 'text', text: `[Image 1 — analysed by fake-vision]: ${fakeAnalysisOf(white)}` },
      { type: 'text', text: 'Describe.' },
    ]);
  });

  it('streams the target after the analysis, with the summed usage in the last chunk', async () => {
    const yellow = await pngDataUri('#ffff00');
    const callsBefore = vision.analysisCalls();
    const { data: stream, response } = await iris.client.chat.completions
      .create({
        model: 'deepseek-chat-ocr',
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Total?' }, imagePart(yellow)] }],
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    expect(response.headers.get('x-iris-ocr-usage')).toContain('images=1; cached=0');
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    const models = new Set<string>();
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      models.add(chunk.model);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('The totals are 12 and 34.');
    expect([...models]).toEqual(['deepseek-chat-ocr']);
    expect(usage).toMatchObject({ prompt_tokens: 22, completion_tokens: 14, total_tokens: 36 });
    expect(vision.analysisCalls()).toBe(callsBefore + 1);
  });

  it('a failed analysis is a 502 naming the image, and the target is never called', async () => {
    vision.behave('fail');
    const purple = await pngDataUri('#800080');
    const targetCalls = target.requests.length;
    const failure = iris.client.chat.completions.create({
      model: 'deepseek-chat-ocr',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Read.' }, imagePart(purple)] }],
    });
    await expect(failure).rejects.toBeInstanceOf(OpenAI.APIError);
    const error = (await failure.catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(502);
    expect(error.message).toContain('messages[0].content[1]');
    expect(error.message).toContain('The server had an error while processing your request.');
    expect((error.error as { param?: string; code?: string }).param).toBe('messages[0].content[1]');
    expect((error.error as { code?: string }).code).toBe('ocr_analysis_failed');
    expect(target.requests.length).toBe(targetCalls);
  });

  it('a failed analysis in a streamed request is a real HTTP status too', async () => {
    vision.behave('fail');
    const orange = await pngDataUri('#ffa500');
    await expect(
      iris.client.chat.completions.create({
        model: 'deepseek-chat-ocr',
        messages: [{ role: 'user', content: [imagePart(orange)] }],
        stream: true,
      }),
    ).rejects.toMatchObject({ status: 502 });
  });

  it('ocr.fallbackModels: a failed analysis is retried with the next model, and the label names it', async () => {
    const secondVision = await startVisionFake('sk-vision-2');
    const fallbackIris = await startGateway({
      configYaml: `${backendsYaml()}  - name: backup
    provider: openai
    baseUrl: ${secondVision.server.url}/v1
    apiKey: sk-vision-2
    models: ['backup-vision']
ocr:
  defaultModel: fake-vision
  fallbackModels: [backup-vision]
`,
    });
    try {
      vision.behave('fail');
      const teal = await pngDataUri('#008080');
      const completion = await fallbackIris.client.chat.completions.create({
        model: 'deepseek-chat-ocr',
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Read.' }, imagePart(teal)] }],
      });
      expect(secondVision.analysisCalls()).toBe(1);
      const sent = JSON.stringify(lastTargetMessages(target));
      expect(sent).toContain('[Image 1 — analysed by backup-vision]');
      expect(sent).not.toContain('image_url');
      const breakdown = (completion as unknown as { x_iris: { ocr: { images: Array<{ model: string }> } } })
        .x_iris.ocr;
      expect(breakdown.images[0].model).toBe('backup-vision');
    } finally {
      await fallbackIris.close();
      await secondVision.server.close();
    }
  });

  it('an unroutable ocr.fallbackModels entry fails at boot, naming it', async () => {
    await expect(startGateway({ configYaml: 'ocr:\n  fallbackModels: [no-such-model]\n' })).rejects.toThrow(
      "ocr.fallbackModels[0]: 'no-such-model' is not routable",
    );
  });

  it('a client disconnect during the analysis cancels the analysis call', async () => {
    vision.behave('hang');
    const grey = await pngDataUri('#808080');
    const targetCalls = target.requests.length;
    const callsBefore = vision.analysisCalls();
    const client = new AbortController();
    const upstreamClosed = vision.server.closedWhileAnswering();
    const pending = iris.client.chat.completions.create(
      { model: 'deepseek-chat-ocr', messages: [{ role: 'user', content: [imagePart(grey)] }] },
      { signal: client.signal },
    );
    while (vision.analysisCalls() === callsBefore) await new Promise((resolve) => setTimeout(resolve, 10));
    client.abort();
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    await expect(upstreamClosed).resolves.toEqual(expect.any(Number));
    expect(target.requests.length).toBe(targetCalls);
  });

  it('the real local-ocr engine analyses a rendered image for a text-only model', async () => {
    const image = await renderedTextDataUri(['Invoice 4711', 'Total: 129.50 EUR']);
    const { data, response } = await iris.client.chat.completions
      .create({
        model: 'deepseek-chat',
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'What is the total?' }, imagePart(image)] },
        ],
        // @ts-expect-error Iris extension field
        ocr_model: 'local-ocr',
      })
      .withResponse();
    expect(data.choices[0].message.content).toBe('The totals are 12 and 34.');
    const label = (lastTargetMessages(target)[0].content as Array<{ text: string }>)[1].text;
    expect(label).toMatch(/^\[Image 1 — analysed by local-ocr\]: /);
    expect(label).toContain('Invoice 4711');
    expect(label).toContain('Total: 129.50 EUR');
    expect(response.headers.get('x-iris-ocr-usage')).toMatch(
      /^model=local-ocr; images=1; cached=0; prompt_tokens=0;/,
    );
  });
});

describe('local-ocr with no configuration and no keys (what `npm start` serves)', () => {
  let iris: StartedGateway;
  let image: string;

  beforeAll(async () => {
    iris = await startGateway({ env: {} });
    image = await renderedTextDataUri(['Hello from Iris', 'Order 2024-117']);
  });
  afterAll(() => iris.close());

  it('answers with the text it reads', async () => {
    const completion = await iris.client.chat.completions.create({
      model: 'local-ocr',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Read this.' }, imagePart(image)] }],
    });
    expect(completion.model).toBe('local-ocr');
    expect(completion.choices[0].message.content).toBe('Hello from Iris\nOrder 2024-117');
    expect(completion.usage).toMatchObject({ prompt_tokens: 0 });
    expect(completion.usage!.completion_tokens).toBeGreaterThan(0);
  });

  it('streams the same text, with a usage chunk when asked', async () => {
    const stream = await iris.client.chat.completions.create({
      model: 'local-ocr',
      messages: [{ role: 'user', content: [imagePart(image)] }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Hello from Iris\nOrder 2024-117');
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('answers 400 when there is no image to read', async () => {
    await expect(
      iris.client.chat.completions.create({
        model: 'local-ocr',
        messages: [{ role: 'user', content: 'hello' }],
      }),
    ).rejects.toMatchObject({ status: 400, code: 'no_image' });
  });

  it('is listed in /v1/models', async () => {
    const models = await iris.client.models.list();
    expect(models.data.map((model) => model.id)).toContain('local-ocr');
  });
});
