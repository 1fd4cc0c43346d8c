import OpenAI from 'openai';
import sharp from 'sharp';
import {
  startLoopbackListener,
  type LoopbackListener,
} from '../libs/core/src/images/__fixtures__/loopback-listener';
import { gradient, makeAnimatedGif, makeImage } from '../libs/core/src/images/__fixtures__/sample-images';
import { startAnthropicFake, type MessagesBody } from './fakes/anthropic-upstream';
import { startGeminiUpstream, type GeminiUpstream } from './fakes/gemini-upstream';
import { startOpenAiFake, type ChatBody } from './fakes/openai-upstream';
import type { FakeServer } from './support/fake-server';
import { startGateway, type StartedGateway } from './support/gateway';

/** The image layer through the real gateway: every backend gets the same intake, limits and SSRF rules. */
describe('images end to end (openai SDK → Iris → fake upstreams)', () => {
  let openai: FakeServer;
  let anthropic: FakeServer;
  let gemini: GeminiUpstream;
  let pictures: LoopbackListener; // an image host on 127.0.0.1
  let iris: StartedGateway; // IRIS_ALLOW_PRIVATE_IMAGE_HOSTS=true
  let strict: StartedGateway; // defaults: private hosts refused
  let gif: Buffer;

  const env = () => ({
    OPENAI_BASE_URL: `${openai.url}/v1`,
    OPENAI_API_KEY: 'sk-upstream',
    ANTHROPIC_BASE_URL: anthropic.url,
    ANTHROPIC_API_KEY: 'test-key',
    GEMINI_BASE_URL: gemini.url,
    GEMINI_API_KEY: 'test-gemini-key',
  });

  beforeAll(async () => {
    gif = await makeImage('gif', 48, 24);
    openai = await startOpenAiFake({ apiKey: 'sk-upstream', validate: true });
    anthropic = await startAnthropicFake({ apiKey: 'test-key' });
    gemini = await startGeminiUpstream({ apiKey: 'test-gemini-key' });
    pictures = await startLoopbackListener('127.0.0.1', (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' }); // wrong on purpose: the bytes decide
      response.end(gif);
    });
    iris = await startGateway({ env: { ...env(), IRIS_ALLOW_PRIVATE_IMAGE_HOSTS: 'true' } });
    strict = await startGateway({ env: env(), configYaml: 'images:\n  maxImageBytes: 3000000\n' });
  });
  afterAll(async () => {
    await Promise.all([iris.close(), strict.close()]);
    await Promise.all([openai.close(), anthropic.close(), gemini.close(), pictures.close()]);
  });
  beforeEach(() => {
    openai.requests.length = 0;
    anthropic.requests.length = 0;
    gemini.calls.length = 0;
    pictures.connections = 0;
    pictures.requests.length = 0;
  });
  afterEach(() => {
    expect(gemini.rejected).toEqual([]);
  });

  const ask = (client: OpenAI, model: string, url: string, detail?: 'low' | 'high') =>
    client.chat.completions.create({
      model,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: detail ? { url, detail } : { url } },
          ],
        },
      ],
    });
  const rejection = async (promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    return error as InstanceType<typeof OpenAI.APIError>;
  };
  const openAiImageUrl = () =>
    (
      (openai.requests.at(-1)!.json as ChatBody).messages[0].content as Array<{
        image_url?: { url: string; detail?: string };
      }>
    )[1].image_url!;
  const claudeImage = () =>
    (
      (anthropic.requests.at(-1)!.json as MessagesBody).messages[0].content as Array<Record<string, unknown>>
    ).find((block) => block.type === 'image')!.source as {
      type: string;
      media_type?: string;
      data?: string;
      url?: string;
    };
  const geminiInline = () =>
    (
      gemini.calls.at(-1)!.body.contents as Array<{
        parts: Array<{ inlineData?: { mimeType: string; data: string } }>;
      }>
    )[0].parts.find((part) => part.inlineData)!.inlineData!;

  describe('OpenAI-compatible (pass-through)', () => {
    it('a canonical data URI reaches the upstream byte for byte', async () => {
      const url = `data:image/png;base64,${(await makeImage('png', 64, 64)).toString('base64')}`;
      await ask(iris.client, 'gpt-4o-mini', url);
      expect(openAiImageUrl().url).toBe(url);
    });

    it('a PNG declared as JPEG, with newlines in the base64, is sent as a canonical PNG data URI', async () => {
      const png = await makeImage('png', 64, 64);
      const sloppy = `data:IMAGE/JPEG;base64,${png.toString('base64').replace(/(.{60})/g, '$1\n')}`;
      await ask(iris.client, 'gpt-4o-mini', sloppy);
      expect(openAiImageUrl().url).toBe(`data:image/png;base64,${png.toString('base64')}`);
    });

    it('detail low is downscaled to 512 px before sending, detail kept', async () => {
      const jpeg = await makeImage('jpeg', 2000, 1000);
      await ask(iris.client, 'gpt-4o-mini', `data:image/jpeg;base64,${jpeg.toString('base64')}`, 'low');
      const sent = openAiImageUrl();
      expect(sent.detail).toBe('low');
      expect(sent.url.startsWith('data:image/jpeg;base64,')).toBe(true);
      const decoded = await sharp(Buffer.from(sent.url.slice(23), 'base64')).metadata();
      expect([decoded.format, decoded.width, decoded.height]).toEqual(['jpeg', 512, 256]);
    });

    it('an http URL is passed through for OpenAI to fetch: the gateway does not connect', async () => {
      const url = `${pictures.origin}/cat.gif?X-Amz-Signature=s3cr3t`;
      await ask(strict.client, 'gpt-4o-mini', url);
      expect(openAiImageUrl().url).toBe(url);
      expect(pictures.connections).toBe(0);
    });

    it('an animated GIF → 400 naming the part and the accepted formats; nothing sent upstream', async () => {
      const url = `data:image/gif;base64,${(await makeAnimatedGif()).toString('base64')}`;
      const error = await rejection(ask(iris.client, 'gpt-4o-mini', url));
      expect(error.status).toBe(400);
      expect(error.param).toBe('messages[0].content[1].image_url.url');
      expect(error.code).toBe('invalid_image_format');
      expect(error.message).toContain('Accepted formats are PNG, JPEG, WEBP and non-animated GIF.');
      expect(openai.requests).toHaveLength(0);
    });

    it('an image over the configured maxImageBytes → 400 before anything goes upstream', async () => {
      const big = await gradient(1100, 1000).png({ compressionLevel: 0 }).toBuffer(); // ~3.3 MB
      const error = await rejection(
        ask(strict.client, 'gpt-4o-mini', `data:image/png;base64,${big.toString('base64')}`),
      );
      expect([error.status, error.code]).toEqual([400, 'image_too_large']);
      expect(openai.requests).toHaveLength(0);
    });
  });

  describe('Claude', () => {
    it('an image over the 5 MB limit is recompressed/downscaled to fit instead of failing', async () => {
      const big = await gradient(1500, 1300).png({ compressionLevel: 0 }).toBuffer(); // ~5.9 MB decoded
      expect(big.length).toBeGreaterThan(5 * 1024 * 1024);
      await ask(iris.client, 'claude-opus-4-6', `data:image/png;base64,${big.toString('base64')}`);
      const source = claudeImage();
      expect(source.type).toBe('base64');
      const bytes = Buffer.from(source.data!, 'base64');
      expect(bytes.length).toBeLessThanOrEqual(5 * 1024 * 1024);
      const decoded = await sharp(bytes).metadata();
      expect(`image/${decoded.format}`).toBe(source.media_type);
    });

    it('detail low → 512 px for Claude too', async () => {
      const png = await makeImage('png', 1024, 1024);
      await ask(iris.client, 'claude-opus-4-6', `data:image/png;base64,${png.toString('base64')}`, 'low');
      const decoded = await sharp(Buffer.from(claudeImage().data!, 'base64')).metadata();
      expect([decoded.width, decoded.height]).toEqual([512, 512]);
    });

    it('a URL goes to Claude as a URL source (Claude fetches it)', async () => {
      await ask(strict.client, 'claude-opus-4-6', `${pictures.origin}/cat.gif`);
      expect(claudeImage()).toEqual({ type: 'url', url: `${pictures.origin}/cat.gif` });
      expect(pictures.connections).toBe(0);
    });
  });

  describe('Gemini (fetch and inline)', () => {
    it('fetches the URL once (allowed private host), sniffs the bytes, converts GIF to PNG', async () => {
      await ask(iris.client, 'gemini-2.5-flash', `${pictures.origin}/cat.gif`);
      const inline = geminiInline();
      expect(inline.mimeType).toBe('image/png');
      const decoded = await sharp(Buffer.from(inline.data, 'base64')).metadata();
      expect([decoded.format, decoded.width, decoded.height]).toEqual(['png', 48, 24]);
      expect(pictures.requests).toEqual(['/cat.gif']);
    });

    it('refuses a loopback URL by default: 400, no connection, signed query redacted', async () => {
      const error = await rejection(
        ask(strict.client, 'gemini-2.5-flash', `${pictures.origin}/cat.gif?token=s3cr3t`),
      );
      expect([error.status, error.code, error.param]).toEqual([
        400,
        'image_url_not_allowed',
        'messages[0].content[1].image_url.url',
      ]);
      expect(error.message).not.toContain('s3cr3t');
      expect(pictures.connections).toBe(0);
      expect(gemini.calls).toHaveLength(0);
    });

    it.each([
      'http://0x7f000001:1/a.png',
      'http://2130706433:1/a.png',
      'http://127.1:1/a.png',
      'http://[::ffff:127.0.0.1]:1/a.png',
      'http://169.254.169.254/latest/meta-data/',
    ])('refuses %s', async (url) => {
      const error = await rejection(ask(strict.client, 'gemini-2.5-flash', url));
      expect([error.status, error.code]).toEqual([400, 'image_url_not_allowed']);
    });
  });
});
