import sharp from 'sharp';
import { makeImage, withLargeJpegSegments, type SampleFormat } from './__fixtures__/sample-images';
import { base64Source } from './byte-source';
import { readDimensions, readImageDimensions } from './image-dimensions';
import { decodedLength } from './base64-bytes';

describe('readImageDimensions (header bytes only)', () => {
  it.each([
    ['png', 641, 480],
    ['jpeg', 333, 222],
    ['webp', 301, 17], // VP8 (lossy)
    ['webp-lossless', 1025, 3], // VP8L
    ['webp-alpha', 77, 66], // VP8X
    ['gif', 120, 45],
  ] as Array<[SampleFormat, number, number]>)('%s %i×%i', async (format, width, height) => {
    const bytes = await makeImage(format, width, height);
    const chunk = bytes.subarray(12, 16).toString('latin1');
    if (format === 'webp') expect(chunk).toBe('VP8 ');
    if (format === 'webp-lossless') expect(chunk).toBe('VP8L');
    if (format === 'webp-alpha') expect(chunk).toBe('VP8X');
    expect(readImageDimensions(bytes.subarray(0, Math.min(bytes.length, 4096)))).toEqual({ width, height });
  });

  it('a progressive JPEG (SOF2)', async () => {
    const bytes = await sharp(await makeImage('png', 90, 60))
      .jpeg({ progressive: true })
      .toBuffer();
    expect(readImageDimensions(bytes)).toEqual({ width: 90, height: 60 });
  });

  it('is undefined when the JPEG SOF lies beyond the head it was given', async () => {
    const jpeg = withLargeJpegSegments(await makeImage('jpeg', 50, 20));
    expect(readImageDimensions(jpeg.subarray(0, 4096))).toBeUndefined();
    expect(readImageDimensions(jpeg)).toEqual({ width: 50, height: 20 });
  });

  it('follows JPEG segments over base64 decoding only small windows', async () => {
    const jpeg = withLargeJpegSegments(await makeImage('jpeg', 50, 20), 4);
    const base64 = jpeg.toString('base64');
    const windows: number[] = [];
    const source = base64Source(base64, decodedLength(base64), 3 * 1024);
    const counted = {
      length: source.length,
      read: (offset: number, length: number) => (windows.push(offset), source.read(offset, length)),
    };
    expect(readDimensions(counted, 'image/jpeg')).toEqual({ width: 50, height: 20 });
    expect(windows.length).toBeLessThan(12);
  });

  it.each([
    ['not an image', Buffer.from('plain text')],
    ['PNG signature without IHDR', Buffer.from('89504e470d0a1a0a', 'hex')],
    ['JPEG SOI only', Buffer.from([0xff, 0xd8, 0xff])],
  ])('%s → undefined', (_name, bytes) => {
    expect(readImageDimensions(bytes)).toBeUndefined();
  });
});
