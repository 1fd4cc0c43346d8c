import sharp from 'sharp';
import { GatewayError } from '../gateway-error';
import { Base64Bytes, decodeBase64 } from './base64-bytes';
import { RequestBytes } from '../http/deferred-json-strings';
import { silentLogger, type Logger } from '../logger';
import type { ChatCompletionContentPartImage } from '../openai-types';
import type { ChatRequest } from '../provider-adapter';
import { startLoopbackListener, type LoopbackListener } from './__fixtures__/loopback-listener';
import {
  dataUri,
  gradient,
  makeAnimatedGif,
  makeBmp,
  makeHeicHeader,
  makeImage,
  makeSvg,
  splitInto,
} from './__fixtures__/sample-images';
import { ImageLayer, type ImagePreparationReport } from './image-layer';
import { DEFAULT_IMAGE_SETTINGS, type ImageSettings } from './image-settings';
import { imageOfPart, type PreparedImage } from './prepared-image';
import { PASS_THROUGH_IMAGE_RULES, type ProviderImageRules } from './provider-image-rules';

const CLAUDE_LIKE: ProviderImageRules = {
  acceptsImageUrls: true,
  acceptedMediaTypes: ['image/png', 'image/jpeg', 'image/webp', 'image/gif'],
  maxBase64Length: 5 * 1024 * 1024,
  maxImageSide: 8000,
  manyImages: { moreThan: 20, maxImageSide: 2000 },
};
const GEMINI_LIKE: ProviderImageRules = {
  acceptsImageUrls: false,
  acceptedMediaTypes: ['image/png', 'image/jpeg', 'image/webp'],
  maxImageBytes: 20 * 1024 * 1024,
};

type Part = ChatCompletionContentPartImage | { type: 'text'; text: string };

function requestWith(...parts: Part[]): ChatRequest {
  return {
    model: 'm',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'look' }, ...parts] as never }],
  };
}
function image(url: string, detail?: 'low' | 'high' | 'auto'): ChatCompletionContentPartImage {
  return { type: 'image_url', image_url: detail ? { url, detail } : { url } };
}
function partAt(request: ChatRequest, message: number, index: number): ChatCompletionContentPartImage {
  return (request.messages[message].content as ChatCompletionContentPartImage[])[index];
}
function inline(prepared: PreparedImage): Extract<PreparedImage, { source: 'base64' }> {
  expect(prepared.source).toBe('base64');
  return prepared as Extract<PreparedImage, { source: 'base64' }>;
}

describe('ImageLayer.prepare', () => {
  const layers: ImageLayer[] = [];
  const layer = (settings: Partial<ImageSettings> = {}, logger: Logger = silentLogger, hooks = {}) => {
    const created = new ImageLayer({ ...DEFAULT_IMAGE_SETTINGS, ...settings }, logger, hooks);
    layers.push(created);
    return created;
  };
  const signal = () => new AbortController().signal;
  const failure = async (promise: Promise<unknown>): Promise<GatewayError> => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  };
  afterEach(async () => {
    await Promise.all(layers.splice(0).map((created) => created.close()));
  });

  describe('intake', () => {
    it('leaves a canonical data URI untouched (same string, no copy) and attaches the slice', async () => {
      const png = await makeImage('png', 64, 48);
      const url = dataUri(png, 'image/png');
      const request = requestWith(image(url));
      const report = await layer().prepare(request, PASS_THROUGH_IMAGE_RULES, { signal: signal() });
      const part = partAt(request, 0, 1);
      expect(part.image_url.url).toBe(url);
      const prepared = inline(imageOfPart(part));
      expect(prepared).toEqual({
        source: 'base64',
        mediaType: 'image/png',
        data: url.slice(22),
        width: 64,
        height: 48,
      });
      expect(report.images[0]).toMatchObject({
        param: 'messages[0].content[1].image_url.url',
        actions: ['unchanged'],
        rewritten: false,
        sourceMediaType: 'image/png',
        estimatedTokens: 255,
      });
      expect(report.estimatedImageTokens).toBe(255);
      expect(JSON.stringify(part)).toBe(JSON.stringify({ type: 'image_url', image_url: { url } })); // never serialised
    });

    it.each([
      ['upper case', (b64: string) => `data:IMAGE/PNG;base64,${b64}`],
      ['extra parameter', (b64: string) => `data:image/png;charset=utf-8;base64,${b64}`],
      ['no media type', (b64: string) => `data:;base64,${b64}`],
      ['raw base64', (b64: string) => b64],
      ['newlines', (b64: string) => `data:image/png;base64,${b64.replace(/(.{76})/g, '$1\n')}`],
      [
        'base64url',
        (b64: string) =>
          `data:image/png;base64,${b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`,
      ],
      ['declared as JPEG', (b64: string) => `data:image/jpeg;base64,${b64}`],
    ])('%s → rewritten to the canonical data URI of the sniffed type', async (_name, form) => {
      const png = await makeImage('png', 70, 70);
      const canonical = dataUri(png, 'image/png');
      const request = requestWith(image(form(png.toString('base64'))));
      const report = await layer().prepare(request, PASS_THROUGH_IMAGE_RULES, { signal: signal() });
      const part = partAt(request, 0, 1);
      expect(part.image_url.url).toBe(canonical);
      expect(inline(imageOfPart(part)).data).toBe(png.toString('base64'));
      expect(report.images[0]).toMatchObject({
        actions: ['normalized'],
        rewritten: true,
        mediaType: 'image/png',
      });
    });

    it('normalises the "image_url": "<string>" shorthand to { url }', async () => {
      const url = dataUri(await makeImage('jpeg'), 'image/jpeg');
      const request = requestWith({ type: 'image_url', image_url: url as never });
      await layer().prepare(request, PASS_THROUGH_IMAGE_RULES, { signal: signal() });
      expect(partAt(request, 0, 1).image_url).toEqual({ url });
    });

    it('walks every message, tool messages with image parts included', async () => {
      const png = dataUri(await makeImage('png'), 'image/png');
      const request: ChatRequest = {
        model: 'm',
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: [{ type: 'image_url', image_url: { url: png } }] },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{}' } }],
          },
          {
            role: 'tool',
            tool_call_id: 't',
            content: [
              { type: 'text', text: 'x' },
              { type: 'image_url', image_url: { url: png } },
            ] as never,
          },
        ],
      };
      const report = await layer().prepare(request, PASS_THROUGH_IMAGE_RULES, { signal: signal() });
      expect(report.images.map((entry) => entry.param)).toEqual([
        'messages[1].content[0].image_url.url',
        'messages[3].content[1].image_url.url',
      ]);
      expect(imageOfPart(partAt(request, 3, 1)).source).toBe('base64');
    });

    it.each([
      ['JPEG', () => makeImage('jpeg'), 'image/jpeg'],
      ['WEBP (lossy)', () => makeImage('webp'), 'image/webp'],
      ['WEBP (lossless)', () => makeImage('webp-lossless'), 'image/webp'],
      ['static GIF', () => makeImage('gif'), 'image/gif'],
    ])('accepts %s as it is', async (_name, make, type) => {
      const url = dataUri(await make(), type);
      const request = requestWith(image(url));
      const report = await layer().prepare(request, PASS_THROUGH_IMAGE_RULES, { signal: signal() });
      expect(report.images[0].actions).toEqual(['unchanged']);
      expect(inline(imageOfPart(partAt(request, 0, 1))).mediaType).toBe(type);
    });

    it.each([
      ['animated GIF', () => makeAnimatedGif(), 'image/gif', 'Animated GIFs are not supported'],
      ['BMP', async () => makeBmp(), 'image/bmp', 'Unsupported image format image/bmp'],
      ['SVG', async () => makeSvg(), 'image/svg+xml', 'Unsupported image format image/svg+xml'],
      ['TIFF', () => makeImage('tiff'), 'image/tiff', 'Unsupported image format image/tiff'],
      ['HEIC', async () => makeHeicHeader(), 'image/heic', 'Unsupported image format image/heic'],
      ['AVIF', () => makeImage('avif'), 'image/avif', 'Unsupported image format image/avif'],
      [
        'a text file',
        async () => Buffer.from('just some text, not pixels'),
        'image/png',
        'not a recognised image',
      ],
    ])('refuses %s with a 400 that lists the accepted formats', async (_name, make, declared, message) => {
      const request = requestWith({ type: 'text', text: 'a' }, image(dataUri(await make(), declared)));
      const error = await failure(layer().prepare(request, PASS_THROUGH_IMAGE_RULES, { signal: signal() }));
      expect(error.status).toBe(400);
      expect(error.param).toBe('messages[0].content[2].image_url.url');
      expect(error.code).toBe('invalid_image_format');
      expect(error.message).toContain(message);
      expect(error.message).toContain('Accepted formats are PNG, JPEG, WEBP and non-animated GIF.');
    });

    it('refuses an SVG sent as a percent-encoded data URI', async () => {
      const svg = makeSvg().toString();
      const request = requestWith(image(`data:image/svg+xml;utf8,${encodeURIComponent(svg)}`));
      const error = await failure(layer().prepare(request, PASS_THROUGH_IMAGE_RULES, { signal: signal() }));
      expect(error.message).toContain('image/svg+xml');
    });

    it.each([
      ['TIFF', () => makeImage('tiff', 30, 20), 'image/tiff'],
      ['SVG', async () => makeSvg(), 'image/svg+xml'],
      ['animated GIF', () => makeAnimatedGif(30, 20), 'image/gif;animated'],
    ])('with extraFormats, converts %s to PNG', async (_name, make, extra) => {
      const request = requestWith(image(dataUri(await make(), 'application/octet-stream')));
      const report = await layer({ extraFormats: [extra] }).prepare(request, PASS_THROUGH_IMAGE_RULES, {
        signal: signal(),
      });
      const prepared = inline(imageOfPart(partAt(request, 0, 1)));
      expect(prepared.mediaType).toBe('image/png');
      const decoded = await sharp(decodeBase64(prepared.data)).metadata();
      expect([decoded.format, decoded.width, decoded.height]).toEqual(['png', 30, 20]);
      expect(report.images[0].actions).toContain('converted');
      expect(partAt(request, 0, 1).image_url.url).toBe(`data:image/png;base64,${prepared.data}`);
    });

    it('refuses an unknown extra format at construction', () => {
      expect(() => layer({ extraFormats: ['image/bmp'] })).toThrow('Unknown extra image formats');
    });

    it('rejects undecodable base64 naming the part, and never drops the image', async () => {
      const request = requestWith(image('data:image/png;base64,@@@not base64@@@'));
      const error = await failure(layer().prepare(request, PASS_THROUGH_IMAGE_RULES, { signal: signal() }));
      expect([error.status, error.param, error.code]).toEqual([
        400,
        'messages[0].content[1].image_url.url',
        'invalid_image_data',
      ]);
    });

    it('rejects a missing URL and an invalid detail', async () => {
      const missing = requestWith({ type: 'image_url', image_url: {} as never });
      expect(
        (await failure(layer().prepare(missing, PASS_THROUGH_IMAGE_RULES, { signal: signal() }))).param,
      ).toBe('messages[0].content[1].image_url.url');
      const png = dataUri(await makeImage('png'), 'image/png');
      const badDetail = requestWith({ type: 'image_url', image_url: { url: png, detail: 'ultra' as never } });
      expect(
        (await failure(layer().prepare(badDetail, PASS_THROUGH_IMAGE_RULES, { signal: signal() }))).param,
      ).toBe('messages[0].content[1].image_url.detail');
    });
  });

  describe('limits', () => {
    it('refuses an image over maxImageBytes (computed from the base64 length) and accepts one at the limit', async () => {
      const png = await makeImage('png', 50, 50);
      const over = requestWith(image(dataUri(png, 'image/png')));
      const error = await failure(
        layer({ maxImageBytes: png.length - 1 }).prepare(over, PASS_THROUGH_IMAGE_RULES, {
          signal: signal(),
        }),
      );
      expect([error.code, error.param]).toEqual(['image_too_large', 'messages[0].content[1].image_url.url']);
      expect(error.message).toContain(`${png.length} bytes`);
      const exact = requestWith(image(dataUri(png, 'image/png')));
      await expect(
        layer({ maxImageBytes: png.length }).prepare(exact, PASS_THROUGH_IMAGE_RULES, { signal: signal() }),
      ).resolves.toBeDefined();
    });

    it('refuses more images than maxImagesPerRequest', async () => {
      const png = image(dataUri(await makeImage('png'), 'image/png'));
      const request = requestWith(png, { ...png }, { ...png });
      const error = await failure(
        layer({ maxImagesPerRequest: 2 }).prepare(request, PASS_THROUGH_IMAGE_RULES, { signal: signal() }),
      );
      expect([error.code, error.param]).toEqual(['too_many_images', 'messages']);
    });
  });

  describe('request bytes (large images the body parser left in the request)', () => {
    const withBytes = (requestBytes: RequestBytes, header: string, bytes: Buffer): string =>
      `${header}${requestBytes.add(splitInto(Buffer.from(bytes.toString('base64'), 'latin1'), 1000)).placeholder}`;

    it('attaches the bytes as they are: no decode, no string, the URL keeps its placeholder', async () => {
      const requestBytes = new RequestBytes();
      const png = await makeImage('png', 64, 48);
      const url = withBytes(requestBytes, 'data:image/png;base64,', png);
      const request = requestWith(image(url));
      const report = await layer().prepare(request, PASS_THROUGH_IMAGE_RULES, { signal: signal() });
      const part = partAt(request, 0, 1);
      expect(part.image_url.url).toBe(url);
      const prepared = inline(imageOfPart(part));
      expect(prepared.data).toBeInstanceOf(Base64Bytes);
      expect(decodeBase64(prepared.data).equals(png)).toBe(true);
      expect(prepared).toMatchObject({ mediaType: 'image/png', width: 64, height: 48 });
      expect(report.images[0]).toMatchObject({
        actions: ['unchanged'],
        rewritten: false,
        sourceBytes: png.length,
      });
      requestBytes.release();
    });

    it('declared as JPEG → the canonical header, the same placeholder (the bytes are not copied)', async () => {
      const requestBytes = new RequestBytes();
      const png = await makeImage('png', 70, 70);
      const url = withBytes(requestBytes, 'data:image/jpeg;base64,', png);
      const request = requestWith(image(url));
      await layer().prepare(request, PASS_THROUGH_IMAGE_RULES, { signal: signal() });
      const placeholder = url.slice(url.indexOf(',') + 1);
      expect(partAt(request, 0, 1).image_url.url).toBe(`data:image/png;base64,${placeholder}`);
      requestBytes.release();
    });

    it('fits them when the backend needs it (decoded over turns, re-encoded as a string)', async () => {
      const requestBytes = new RequestBytes();
      const jpeg = await makeImage('jpeg', 1600, 1000);
      const request = requestWith(image(withBytes(requestBytes, 'data:image/jpeg;base64,', jpeg), 'low'));
      await layer().prepare(request, PASS_THROUGH_IMAGE_RULES, { signal: signal() });
      const prepared = inline(imageOfPart(partAt(request, 0, 1)));
      expect(typeof prepared.data).toBe('string');
      const decoded = await sharp(decodeBase64(prepared.data)).metadata();
      expect([decoded.width, decoded.height]).toEqual([512, 320]);
      requestBytes.release();
    });

    it('a placeholder whose request has ended → 400 naming the part, never garbage bytes', async () => {
      const requestBytes = new RequestBytes();
      const url = withBytes(requestBytes, 'data:image/png;base64,', await makeImage('png', 8, 8));
      requestBytes.release();
      const error = await failure(
        layer().prepare(requestWith(image(url)), PASS_THROUGH_IMAGE_RULES, { signal: signal() }),
      );
      expect(error).toMatchObject({
        status: 400,
        param: 'messages[0].content[1].image_url.url',
        code: 'invalid_image_data',
      });
    });
  });

  describe('fitting to the backend', () => {
    it('detail low → fits 512×512 on every backend, and the URL is rewritten for pass-through', async () => {
      const jpeg = await makeImage('jpeg', 1600, 1000);
      const request = requestWith(image(dataUri(jpeg, 'image/jpeg'), 'low'));
      const report = await layer().prepare(request, PASS_THROUGH_IMAGE_RULES, { signal: signal() });
      const prepared = inline(imageOfPart(partAt(request, 0, 1)));
      const decoded = await sharp(decodeBase64(prepared.data)).metadata();
      expect([decoded.format, decoded.width, decoded.height]).toEqual(['jpeg', 512, 320]);
      expect(partAt(request, 0, 1).image_url.url).toBe(`data:image/jpeg;base64,${prepared.data}`);
      expect(report.images[0]).toMatchObject({
        actions: ['downscaled'],
        sourceWidth: 1600,
        width: 512,
        height: 320,
        rewritten: true,
        estimatedTokens: 85,
      });
    });

    it('detail high → unchanged when within limits', async () => {
      const jpeg = await makeImage('jpeg', 1600, 1000);
      const url = dataUri(jpeg, 'image/jpeg');
      const request = requestWith(image(url, 'high'));
      const report = await layer().prepare(request, CLAUDE_LIKE, { signal: signal() });
      expect(partAt(request, 0, 1).image_url.url).toBe(url);
      expect(report.images[0]).toMatchObject({ actions: ['unchanged'], estimatedTokens: 1105 }); // 1229×768 → 3×2 tiles
    });

    it('GIF for a backend without GIF (Gemini) → first frame as PNG', async () => {
      const request = requestWith(image(dataUri(await makeImage('gif', 33, 22), 'image/gif')));
      const report = await layer().prepare(request, GEMINI_LIKE, { signal: signal() });
      const prepared = inline(imageOfPart(partAt(request, 0, 1)));
      const decoded = await sharp(decodeBase64(prepared.data)).metadata();
      expect([prepared.mediaType, decoded.format, decoded.width, decoded.height]).toEqual([
        'image/png',
        'png',
        33,
        22,
      ]);
      expect(report.images[0].actions).toEqual(['converted']);
    });

    it("over Claude's base64 limit → recompressed/downscaled to fit instead of failing", async () => {
      const big = await gradient(1400, 1200).png({ compressionLevel: 0 }).toBuffer(); // ~5 MB
      expect(big.toString('base64').length).toBeGreaterThan(5 * 1024 * 1024);
      const logger = { ...silentLogger, debug: jest.fn() };
      const request = requestWith(image(dataUri(big, 'image/png')));
      const report = await layer({}, logger).prepare(request, CLAUDE_LIKE, { signal: signal() });
      const prepared = inline(imageOfPart(partAt(request, 0, 1)));
      expect(prepared.data.length).toBeLessThanOrEqual(5 * 1024 * 1024);
      const decoded = await sharp(decodeBase64(prepared.data)).metadata();
      expect(decoded.format).toBe(prepared.mediaType.slice(6));
      expect(report.images[0].reasons.join()).toContain('over');
      expect(logger.debug).toHaveBeenCalledWith(
        expect.objectContaining({
          param: 'messages[0].content[1].image_url.url',
          actions: report.images[0].actions,
        }),
        'image prepared',
      );
    });

    it('over the side limit → downscaled', async () => {
      const request = requestWith(image(dataUri(await makeImage('png', 900, 300), 'image/png')));
      await layer().prepare(request, { ...CLAUDE_LIKE, maxImageSide: 600 }, { signal: signal() });
      const prepared = inline(imageOfPart(partAt(request, 0, 1)));
      expect([prepared.width, prepared.height]).toEqual([600, 200]);
    });

    it('a corrupt image that must be resized → 400 invalid_image_data', async () => {
      const png = await makeImage('png', 1000, 1000);
      const corrupt = Buffer.concat([png.subarray(0, 33), Buffer.alloc(200, 1)]);
      const request = requestWith(image(dataUri(corrupt, 'image/png'), 'low'));
      const error = await failure(layer().prepare(request, PASS_THROUGH_IMAGE_RULES, { signal: signal() }));
      expect([error.code, error.param]).toEqual([
        'invalid_image_data',
        'messages[0].content[1].image_url.url',
      ]);
    });
  });

  describe('URL images', () => {
    let server: LoopbackListener;
    let body: Buffer;
    beforeAll(async () => {
      body = await makeImage('gif', 40, 20);
      server = await startLoopbackListener('127.0.0.1', (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        response.end(body);
      });
    });
    beforeEach(() => {
      server.connections = 0;
      server.requests.length = 0;
    });
    afterAll(() => server.close());

    it('passes the URL through when the backend fetches URLs itself', async () => {
      const url = `https://images.example/cat.png?sig=secret`;
      const request = requestWith(image(url));
      const report = await layer().prepare(request, CLAUDE_LIKE, { signal: signal() });
      expect(imageOfPart(partAt(request, 0, 1))).toEqual({ source: 'url', url });
      expect(partAt(request, 0, 1).image_url.url).toBe(url);
      expect(report.images[0]).toMatchObject({
        origin: 'url',
        sent: 'url',
        actions: ['url-passed'],
        rewritten: false,
      });
    });

    it('fetches and inlines for a backend without URL support (sniffing the bytes, converting GIF for Gemini)', async () => {
      const url = `${server.origin}/cat.gif`;
      const request = requestWith(image(url), image(url));
      const report = await layer({ allowPrivateHosts: true }).prepare(request, GEMINI_LIKE, {
        signal: signal(),
      });
      expect(server.requests).toEqual(['/cat.gif']); // the same URL twice: fetched once
      expect(report.fetchedUrls).toBe(1);
      expect(report.images.map((entry) => entry.actions)).toEqual([
        ['fetched', 'converted'],
        ['fetch-shared', 'converted'],
      ]);
      const prepared = inline(imageOfPart(partAt(request, 0, 1)));
      expect(prepared.mediaType).toBe('image/png');
      expect(partAt(request, 0, 1).image_url.url).toBe(`data:image/png;base64,${prepared.data}`);
    });

    it('fetches when alwaysInlineUrls is set, and serves a repeat from the cache', async () => {
      const url = `${server.origin}/again.gif`;
      const shared = layer({ allowPrivateHosts: true, alwaysInlineUrls: true });
      const first = requestWith(image(url));
      await shared.prepare(first, PASS_THROUGH_IMAGE_RULES, { signal: signal() });
      expect(partAt(first, 0, 1).image_url.url).toBe(`data:image/gif;base64,${body.toString('base64')}`);
      const second = requestWith(image(url));
      const report: ImagePreparationReport = await shared.prepare(second, PASS_THROUGH_IMAGE_RULES, {
        signal: signal(),
      });
      expect(report.images[0].actions).toEqual(['fetch-cached']);
      expect(server.requests).toHaveLength(1);
    });

    it('refuses a private host by default: 400 naming the part, no connection made', async () => {
      const request = requestWith(image(`${server.origin}/cat.gif?token=abc123`));
      const error = await failure(layer().prepare(request, GEMINI_LIKE, { signal: signal() }));
      expect([error.status, error.code, error.param]).toEqual([
        400,
        'image_url_not_allowed',
        'messages[0].content[1].image_url.url',
      ]);
      expect(error.message).not.toContain('abc123');
      expect(server.connections).toBe(0);
    });

    it('a fetched non-image → 400 invalid_image_format', async () => {
      const text = await startLoopbackListener('127.0.0.1', (_request, response) =>
        response.end('<html>hi</html>'),
      );
      try {
        const request = requestWith(image(`${text.origin}/page`));
        const error = await failure(
          layer({ allowPrivateHosts: true }).prepare(request, GEMINI_LIKE, { signal: signal() }),
        );
        expect(error.code).toBe('invalid_image_format');
      } finally {
        await text.close();
      }
    });

    it("stops with a cancellation when the request's signal aborts", async () => {
      const hang = await startLoopbackListener('127.0.0.1', () => undefined);
      try {
        const controller = new AbortController();
        const pending = layer({ allowPrivateHosts: true }).prepare(
          requestWith(image(`${hang.origin}/x`)),
          GEMINI_LIKE,
          {
            signal: controller.signal,
          },
        );
        setTimeout(() => controller.abort(), 30);
        const error = await failure(pending);
        expect(error.status).toBe(499);
      } finally {
        await hang.close();
      }
    });
  });
});
