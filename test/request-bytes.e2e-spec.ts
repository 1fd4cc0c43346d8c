import { connect } from 'node:net';
import type OpenAI from 'openai';
import { registeredRequestBytes } from '../libs/core/src/http/deferred-json-strings';
import { gradient } from '../libs/core/src/images/__fixtures__/sample-images';
import { startAnthropicFake, type MessagesBody } from './fakes/anthropic-upstream';
import { startGeminiUpstream, type GeminiUpstream } from './fakes/gemini-upstream';
import {
  fakeAnalysisOf,
  ocrBackendsYaml,
  startTextOnlyFake,
  startVisionFake,
  type VisionFake,
} from './fakes/ocr-upstreams';
import { startOpenAiFake, type ChatBody } from './fakes/openai-upstream';
import type { FakeServer } from './support/fake-server';
import { startGateway, type StartedGateway } from './support/gateway';

/**
 * Large images (bodies from 256 KiB) stay in the bytes of the client's request: the parsed request holds a
 * placeholder, and the upstream fetch writes the bytes where it stands. These tests prove, through the real
 * gateway and the official SDK, that every path still sends exactly the client's base64, and that nothing is
 * kept once the response has closed.
 */
describe('large images stay in the request bytes (openai SDK → Iris → fake upstreams)', () => {
  let openai: FakeServer;
  let anthropic: FakeServer;
  let gemini: GeminiUpstream;
  let textOnly: FakeServer;
  let vision: VisionFake;
  let iris: StartedGateway;
  let base64: string;
  let uri: string;

  beforeAll(async () => {
    // ~1.4 MB of uncompressed PNG: a ~1.9 MB data URI, under every backend's limit (sent as it is).
    base64 = (await gradient(700, 680).png({ compressionLevel: 0 }).toBuffer()).toString('base64');
    uri = `data:image/png;base64,${base64}`;
    openai = await startOpenAiFake({ apiKey: 'sk-upstream', validate: true });
    anthropic = await startAnthropicFake({ apiKey: 'test-key' });
    gemini = await startGeminiUpstream({ apiKey: 'test-gemini-key' });
    textOnly = await startTextOnlyFake('sk-text');
    vision = await startVisionFake('sk-vision');
    iris = await startGateway({
      env: {
        ANTHROPIC_BASE_URL: anthropic.url,
        ANTHROPIC_API_KEY: 'test-key',
        GEMINI_BASE_URL: gemini.url,
        GEMINI_API_KEY: 'test-gemini-key',
      },
      configYaml: `
backends:
  - name: passthrough
    provider: openai
    baseUrl: ${openai.url}/v1
    apiKey: sk-upstream
    patterns: ['gpt-*']
${ocrBackendsYaml(textOnly, vision)}`,
    });
  });
  afterAll(async () => {
    await iris.close();
    await Promise.all([
      openai.close(),
      anthropic.close(),
      gemini.close(),
      textOnly.close(),
      vision.server.close(),
    ]);
  });
  beforeEach(() => {
    openai.requests.length = 0;
    anthropic.requests.length = 0;
    gemini.calls.length = 0;
  });
  afterEach(async () => {
    expect(gemini.rejected).toEqual([]);
    // Released when the response closes, which is just after the client has read it.
    for (let wait = 0; wait < 50 && registeredRequestBytes() > 0; wait++) await delay(10);
    expect(registeredRequestBytes()).toBe(0);
  });

  const userMessage = (url: string): OpenAI.ChatCompletionMessageParam => ({
    role: 'user',
    content: [
      { type: 'text', text: 'What is this?' },
      { type: 'image_url', image_url: { url } },
    ],
  });
  const openAiImageUrl = (): string =>
    (
      (openai.requests.at(-1)!.json as ChatBody).messages[0].content as Array<{ image_url?: { url: string } }>
    )[1].image_url!.url;
  const claudeImageData = (index: number): string | undefined =>
    (
      (anthropic.requests[index].json as MessagesBody).messages[0].content as Array<{
        type: string;
        source?: { data?: string };
      }>
    ).find((block) => block.type === 'image')?.source?.data;

  it('OpenAI pass-through: the data URI arrives byte for byte, with a Content-Length', async () => {
    await iris.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [userMessage(uri)] });
    expect(openAiImageUrl() === uri).toBe(true);
    const sent = openai.requests.at(-1)!;
    expect(Number(sent.headers['content-length'])).toBe(sent.body.length);
    expect(sent.headers['transfer-encoding']).toBeUndefined();
  });

  it('a PNG declared as JPEG: the canonical data URI is sent, with the same base64 bytes', async () => {
    await iris.client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [userMessage(`data:image/jpeg;base64,${base64}`)],
    });
    expect(openAiImageUrl() === uri).toBe(true);
  });

  it('Claude with n=2: both upstream calls carry the same base64 (the bytes are sent twice)', async () => {
    const completion = await iris.client.chat.completions.create({
      model: 'claude-opus-4-6',
      n: 2,
      messages: [userMessage(uri)],
    });
    expect(completion.choices).toHaveLength(2);
    expect(anthropic.requests).toHaveLength(2);
    expect(claudeImageData(0) === base64).toBe(true);
    expect(claudeImageData(1) === base64).toBe(true);
  });

  it('Claude streaming: the base64 arrives intact and the stream ends with [DONE]', async () => {
    const stream = await iris.client.chat.completions.create({
      model: 'claude-opus-4-6',
      stream: true,
      messages: [userMessage(uri)],
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text.length).toBeGreaterThan(0);
    expect(claudeImageData(0) === base64).toBe(true);
  });

  it('Gemini: the inline data is the base64, byte for byte (the fake checks it against the proto)', async () => {
    await iris.client.chat.completions.create({ model: 'gemini-2.5-flash', messages: [userMessage(uri)] });
    const parts = (
      gemini.calls.at(-1)!.body.contents as Array<{ parts: Array<{ inlineData?: { data: string } }> }>
    )[0].parts;
    expect(parts.find((part) => part.inlineData)?.inlineData?.data === base64).toBe(true);
  });

  it('a data URI in a text part is text: it reaches the upstream unchanged', async () => {
    await iris.client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: [{ type: 'text', text: `Echo ${uri}` }] }],
    });
    const content = (openai.requests.at(-1)!.json as ChatBody).messages[0].content as Array<{
      text?: string;
    }>;
    expect(content[0].text === `Echo ${uri}`).toBe(true);
  });

  it('Responses API: an input_image reaches Claude as the same base64', async () => {
    await iris.client.responses.create({
      model: 'claude-opus-4-6',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is this?' },
            { type: 'input_image', image_url: uri, detail: 'auto' },
          ],
        },
      ],
    });
    expect(claudeImageData(0) === base64).toBe(true);
  });

  it('OCR mode: the analysing model receives the exact data URI, the text-only target none', async () => {
    const completion = await iris.client.chat.completions.create({
      model: 'deepseek-chat',
      messages: [userMessage(uri)],
      // @ts-expect-error Iris extension field
      ocr_model: 'fake-vision',
    });
    expect(completion.choices[0].message.content).toBe('The totals are 12 and 34.');
    const sent = (textOnly.requests.at(-1)!.json as ChatBody).messages[0].content as Array<{ text?: string }>;
    expect(sent[1].text).toBe(`[Image 1 — analysed by fake-vision]: ${fakeAnalysisOf(uri)}`);
  });

  it('a chunked upload (no Content-Length) in small pieces: the image still arrives intact', async () => {
    const body = Buffer.from(
      JSON.stringify({ model: 'claude-opus-4-6', max_tokens: 16, messages: [userMessage(uri)] }),
    );
    let offset = 0;
    const pieces = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Uneven pieces, some far below the 16 KiB that are copied together into blocks.
        const size = offset % 3 === 0 ? 1000 : 70_000;
        controller.enqueue(body.subarray(offset, offset + size));
        offset += size;
        if (offset >= body.length) controller.close();
      },
    });
    const response = await fetch(`${iris.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer test-gateway-key' },
      body: pieces,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(200);
    expect(claudeImageData(0) === base64).toBe(true);
  });

  it('bodies read into pooled memory: concurrent requests, round after round, each send exactly their own image', async () => {
    // Different images of the same size, so that later rounds reuse the blocks of earlier ones.
    const uris = await Promise.all(
      Array.from({ length: 6 }, async (_, index) => {
        const png = await gradient(700, 680 - index)
          .png({ compressionLevel: 0 })
          .toBuffer();
        return `data:image/png;base64,${png.toString('base64')}`;
      }),
    );
    for (let round = 0; round < 3; round++) {
      openai.requests.length = 0;
      await Promise.all(
        uris.map((imageUri, index) =>
          iris.client.chat.completions.create({
            model: 'gpt-4o-mini',
            messages: [
              {
                role: 'user',
                content: [
                  { type: 'text', text: `image ${index}` },
                  { type: 'image_url', image_url: { url: imageUri } },
                ],
              },
            ],
          }),
        ),
      );
      expect(openai.requests).toHaveLength(uris.length);
      for (const sent of openai.requests) {
        const content = (sent.json as ChatBody).messages[0].content as Array<{
          text?: string;
          image_url?: { url: string };
        }>;
        const index = Number(content[0].text!.slice('image '.length));
        expect(content[1].image_url!.url === uris[index]).toBe(true);
      }
    }
  });

  it('a client gone mid-upload of a large body: nothing is sent, and the next large request is intact', async () => {
    const body = Buffer.from(JSON.stringify({ model: 'gpt-4o-mini', messages: [userMessage(uri)] }));
    const { port } = new URL(iris.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n` +
        `authorization: Bearer test-gateway-key\r\ncontent-length: ${body.length}\r\n\r\n`,
    );
    socket.write(body.subarray(0, body.length >> 1));
    await delay(50);
    socket.destroy();
    await delay(50);
    expect(openai.requests).toHaveLength(0);
    await iris.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [userMessage(uri)] });
    expect(openAiImageUrl() === uri).toBe(true);
  });

  it('a request refused by the image layer still releases its bytes (400, nothing sent)', async () => {
    const notAnImage = Buffer.alloc(400_000, 7).toString('base64');
    await expect(
      iris.client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [userMessage(`data:image/png;base64,${notAnImage}`)],
      }),
    ).rejects.toMatchObject({ status: 400, param: 'messages[0].content[1].image_url.url' });
    expect(openai.requests).toHaveLength(0);
  });
});

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
