import { randomBytes } from 'node:crypto';
import { isCheckedDataUri } from '@app/core';
import { parseLargeJson } from './parse-large-json';

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
    await expect(parseLargeJson(Buffer.from(text, 'utf8'))).resolves.toEqual(JSON.parse(text));
  });

  it('returns the lifted string with the same content (a flat copy of the base64)', async () => {
    const parsed = (await parseLargeJson(Buffer.from(chat([image(uri)])))) as {
      messages: Array<{ content: Array<{ image_url: { url: string } }> }>;
    };
    expect(parsed.messages[0].content[0].image_url.url).toBe(uri);
  });

  it.each([
    ['a lifted (pure base64) image', uri, true],
    ['an image left to JSON.parse (space in the base64)', `${uri.slice(0, 5000)} ${uri.slice(5000)}`, false],
  ])('records %s as alphabet-checked for the image layer: %s', async (_label, url, checked) => {
    const parsed = (await parseLargeJson(Buffer.from(chat([image(url)])))) as {
      messages: Array<{ content: Array<{ image_url: { url: string } }> }>;
    };
    const holder = parsed.messages[0].content[0].image_url;
    expect(isCheckedDataUri(holder, holder.url)).toBe(checked);
  });

  it('checks the alphabet past the first window (a space after 4.5 MiB leaves the image to JSON.parse)', async () => {
    const big = randomBytes(3_600_000).toString('base64');
    const url = `data:image/png;base64,${big.slice(0, 4_700_000)} ${big.slice(4_700_000)}`;
    const text = chat([image(url)]);
    const parsed = (await parseLargeJson(Buffer.from(text))) as {
      messages: Array<{ content: Array<{ image_url: { url: string } }> }>;
    };
    expect(parsed).toEqual(JSON.parse(text));
    const holder = parsed.messages[0].content[0].image_url;
    expect(isCheckedDataUri(holder, holder.url)).toBe(false);
  });

  it.each([
    ['a string end followed by data:', `{"a":"q"${JSON.stringify(uri)},"b":1}`],
    ['an unterminated data URI', `{"a":"${uri}`],
    ['a truncated body', chat([image(uri)]).slice(0, -3)],
  ])('rejects invalid JSON as JSON.parse does: %s', async (_label, text) => {
    expect(() => JSON.parse(text)).toThrow();
    await expect(parseLargeJson(Buffer.from(text))).rejects.toThrow();
  });

  it('keeps a __proto__ key an own property (no prototype change)', async () => {
    const parsed = (await parseLargeJson(
      Buffer.from(`{"__proto__":"${uri}","x":${JSON.stringify('y'.repeat(300_000))}}`),
    )) as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value).toBe(uri);
  });
});
