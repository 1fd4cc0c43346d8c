import { randomBytes } from 'node:crypto';
import { base64BytesOf, ChunkedBytes, RequestBytes, type Base64Bytes } from '@app/core';
import { splitInto } from '../../../../libs/core/src/images/__fixtures__/sample-images';
import { parseLargeJson } from './parse-large-json';

/** The body as a socket might deliver it: in chunks of `size` bytes (by default 64 KiB, odd sizes below). */
const chunked = (text: string, size = 65536): ChunkedBytes =>
  new ChunkedBytes(splitInto(Buffer.from(text, 'utf8'), size));

const base64 = randomBytes(96 * 1024).toString('base64');
const uri = `data:image/png;base64,${base64}`;
const chat = (content: unknown): string =>
  JSON.stringify({ model: 'm', messages: [{ role: 'user', content }], max_tokens: 5 });
const image = (url: string) => ({ type: 'image_url', image_url: { url } });

describe('parseLargeJson', () => {
  it.each([
    ['one image', chat([{ type: 'text', text: 'describe' }, image(uri)])],
    [
      'two images and non-ASCII text',
      chat([{ type: 'text', text: 'héllo ✓ 漢字 🙂' }, image(uri), image(uri)]),
    ],
    ['an image with other data-URI parameters', chat([image(`data:image/png;name=a.png;base64,${base64}`)])],
    [
      'an image whose base64 has an escaped newline (left to JSON.parse)',
      chat([image(`${uri.slice(0, 5000)}\n${uri.slice(5000)}`)]),
    ],
    [
      'an image whose base64 has spaces (left to JSON.parse)',
      chat([image(`${uri.slice(0, 5000)} ${uri.slice(5000)}`)]),
    ],
    [
      'a small data URI (stays in the text)',
      chat([image('data:image/png;base64,iVBORw0KGgo='), { type: 'text', text: 'x'.repeat(300_000) }]),
    ],
    ['a text that quotes a data URI (escaped quote before it)', chat(`see "${uri}" here`)],
    ['a data URI as an object key', JSON.stringify({ [uri]: 1, other: uri })],
    [
      'a data URI that is not base64 (percent-encoded)',
      chat([image(`data:image/svg+xml,${'%3Csvg%3E'.repeat(10_000)}`)]),
    ],
  ])('gives exactly what JSON.parse gives: %s', async (_label, text) => {
    // Whole, and in chunks of odd sizes: every search and check also works across chunk boundaries.
    for (const size of [text.length * 4, 65536, 4099, 7])
      await expect(parseLargeJson(chunked(text, size))).resolves.toEqual(JSON.parse(text));
  });

  it('returns the lifted string with the same content (a flat copy of the base64)', async () => {
    const parsed = (await parseLargeJson(chunked(chat([image(uri)])))) as {
      messages: Array<{ content: Array<{ image_url: { url: string } }> }>;
    };
    expect(parsed.messages[0].content[0].image_url.url).toBe(uri);
  });

  describe("with the request's RequestBytes", () => {
    type Parsed = { messages: Array<{ content: Array<{ image_url: { url: string } }> }> };
    const urlOf = (parsed: unknown, part = 0): string =>
      (parsed as Parsed).messages[0].content[part].image_url.url;
    const placeholderOf = (url: string): string => url.slice(url.indexOf(',') + 1);
    const textOf = (bytes: Base64Bytes | undefined): string | undefined =>
      bytes && Buffer.concat(bytes.bytes.chunks).toString('latin1');

    it("leaves an image URL's base64 in the body: a placeholder stands for it, the bytes are views of the body's chunks", async () => {
      const requestBytes = new RequestBytes();
      const body = chunked(chat([{ type: 'text', text: 'describe' }, image(uri)]), 4099);
      const url = urlOf(await parseLargeJson(body, requestBytes), 1);
      expect(url.startsWith('data:image/png;base64,')).toBe(true);
      expect(url.length).toBeLessThan(100);
      const bytes = base64BytesOf(placeholderOf(url));
      expect(textOf(bytes) === base64).toBe(true);
      // No copy: every view shares memory with one of the body's chunks.
      const memory = new Set(body.chunks.map((chunk) => chunk.buffer));
      expect(bytes?.bytes.chunks.every((chunk) => memory.has(chunk.buffer))).toBe(true);
      requestBytes.release();
      expect(base64BytesOf(placeholderOf(url))).toBeUndefined();
    });

    it('keeps the header as sent (case) for the image layer to read', async () => {
      const requestBytes = new RequestBytes();
      const parsed = await parseLargeJson(
        chunked(chat([image(`data:image/PNG;base64,${base64}`)])),
        requestBytes,
      );
      expect(urlOf(parsed).startsWith('data:image/PNG;base64,')).toBe(true);
      expect(textOf(base64BytesOf(placeholderOf(urlOf(parsed)))) === base64).toBe(true);
      requestBytes.release();
    });

    it('also for the Responses form (`image_url` as a string on an input_image part)', async () => {
      const requestBytes = new RequestBytes();
      const text = JSON.stringify({
        model: 'm',
        input: [{ role: 'user', content: [{ type: 'input_image', image_url: uri }] }],
      });
      const parsed = (await parseLargeJson(chunked(text), requestBytes)) as {
        input: Array<{ content: Array<{ image_url: string }> }>;
      };
      const url = parsed.input[0].content[0].image_url;
      expect(textOf(base64BytesOf(placeholderOf(url))) === base64).toBe(true);
      requestBytes.release();
    });

    it.each([
      ['a data URI in a text part', chat([{ type: 'text', text: uri }])],
      ['a data URI in an unknown field', JSON.stringify({ model: 'm', messages: [], extra: { url: uri } })],
      ['a file part', chat([{ type: 'file', file: { file_data: uri } }])],
    ])('gives the string itself anywhere else: %s', async (_label, text) => {
      const requestBytes = new RequestBytes();
      await expect(parseLargeJson(chunked(text), requestBytes)).resolves.toEqual(JSON.parse(text));
      requestBytes.release();
    });

    it('lifts no image with any character outside the standard alphabet (every code unit up to 0xFF)', async () => {
      const alphabet = /[A-Za-z0-9+/=]/;
      const lifted: string[] = [];
      for (let code = 0x20; code <= 0xff; code++) {
        const character = String.fromCharCode(code);
        if (alphabet.test(character)) continue;
        // Replaces one character (the length stays a multiple of four), past the first 64 KiB piece.
        const url = `${uri.slice(0, 70_001)}${character}${uri.slice(70_002)}`;
        const requestBytes = new RequestBytes();
        const parsed = await parseLargeJson(chunked(chat([image(url)])), requestBytes);
        if (urlOf(parsed) !== url) lifted.push(JSON.stringify(character));
        requestBytes.release();
      }
      expect(lifted).toEqual([]);
    });

    it.each([
      ['a space in the base64', `${uri.slice(0, 5000)} ${uri.slice(5000)}`],
      ['padding in the middle', `${uri.slice(0, 5000)}=${uri.slice(5001)}`],
      ['a length that is not a multiple of four', `${uri}A`],
      [
        'a space after 4.5 MiB (past the first turn)',
        `data:image/png;base64,${'QUJD'.repeat(1_200_000)} QUJD`,
      ],
    ])('leaves an image that is not standard padded base64 to JSON.parse: %s', async (_label, url) => {
      const requestBytes = new RequestBytes();
      const text = chat([image(url)]);
      const parsed = await parseLargeJson(chunked(text), requestBytes);
      expect(parsed).toEqual(JSON.parse(text));
      expect(urlOf(parsed) === url).toBe(true);
      requestBytes.release();
    });
  });

  it.each([
    ['a string end followed by data:', `{"a":"q"${JSON.stringify(uri)},"b":1}`],
    ['an unterminated data URI', `{"a":"${uri}`],
    ['a truncated body', chat([image(uri)]).slice(0, -3)],
  ])('rejects invalid JSON as JSON.parse does: %s', async (_label, text) => {
    expect(() => JSON.parse(text)).toThrow();
    await expect(parseLargeJson(chunked(text))).rejects.toThrow();
  });

  it('keeps a __proto__ key an own property (no prototype change)', async () => {
    const parsed = (await parseLargeJson(
      chunked(`{"__proto__":"${uri}","x":${JSON.stringify('y'.repeat(300_000))}}`),
    )) as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value).toBe(uri);
  });
});
