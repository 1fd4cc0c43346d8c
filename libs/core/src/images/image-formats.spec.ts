import {
  makeAnimatedGif,
  makeBmp,
  makeHeicHeader,
  makeImage,
  makeSvg,
  type SampleFormat,
} from './__fixtures__/sample-images';
import { acceptedFormatsSentence, sniffImageType } from './image-formats';
import { sniffImageMediaType } from './prepared-image';

describe('sniffImageType (magic numbers)', () => {
  it.each([
    ['png', 'image/png'],
    ['jpeg', 'image/jpeg'],
    ['webp', 'image/webp'],
    ['webp-lossless', 'image/webp'],
    ['webp-alpha', 'image/webp'],
    ['gif', 'image/gif'],
    ['tiff', 'image/tiff'],
    ['avif', 'image/avif'],
  ] as Array<[SampleFormat, string]>)('a real %s is %s', async (format, type) => {
    const bytes = await makeImage(format);
    expect(sniffImageType(bytes.subarray(0, 512))).toBe(type);
  });

  it.each([
    ['animated GIF', () => makeAnimatedGif(), 'image/gif'],
    ['BMP', async () => makeBmp(), 'image/bmp'],
    ['SVG', async () => makeSvg(), 'image/svg+xml'],
    ['SVG without prolog', async () => Buffer.from('  <svg viewBox="0 0 1 1"></svg>'), 'image/svg+xml'],
    ['HEIC', async () => makeHeicHeader(), 'image/heic'],
    ['ICO', async () => Buffer.from([0, 0, 1, 0, 1, 0, 16, 16]), 'image/x-icon'],
  ])('%s', async (_name, make, type) => {
    expect(sniffImageType(await make())).toBe(type);
  });

  it.each([
    ['text', Buffer.from('hello world, this is not an image')],
    ['HTML', Buffer.from('<!doctype html><html><body>no</body></html>')],
    ['PDF', Buffer.from('%PDF-1.7\n')],
    ['empty', Buffer.alloc(0)],
    ['truncated PNG signature', Buffer.from([0x89, 0x50, 0x4e, 0x47])],
    ['text starting with BM', Buffer.from('BM this is a bitmap? no, just text')],
  ])('%s is not an image', (_name, bytes) => {
    expect(sniffImageType(bytes)).toBeUndefined();
  });

  it('sniffImageMediaType (the adapters’ helper) returns only the four sendable types', async () => {
    expect(sniffImageMediaType(await makeImage('png'))).toBe('image/png');
    expect(sniffImageMediaType(makeBmp())).toBeUndefined();
    expect(sniffImageMediaType(await makeImage('tiff'))).toBeUndefined();
  });
});

describe('acceptedFormatsSentence', () => {
  it('names the four formats, and configured extras', () => {
    expect(acceptedFormatsSentence()).toBe('Accepted formats are PNG, JPEG, WEBP and non-animated GIF.');
    expect(acceptedFormatsSentence(['image/tiff', 'image/gif;animated'])).toBe(
      'Accepted formats are PNG, JPEG, WEBP, GIF and TIFF.',
    );
  });
});
