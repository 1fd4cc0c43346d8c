import { makeAnimatedGif, makeImage } from './__fixtures__/sample-images';
import { base64Source, bufferSource } from './byte-source';
import { countGifFrames } from './gif-frames';
import { decodedLength } from './base64-bytes';

describe('countGifFrames', () => {
  it('a static GIF has one frame', async () => {
    expect(countGifFrames(bufferSource(await makeImage('gif', 64, 64)))).toBe(1);
  });

  it('an animated GIF has more (walked over base64 too)', async () => {
    const gif = await makeAnimatedGif(20, 10, 3);
    expect(countGifFrames(bufferSource(gif), 10)).toBe(3);
    const base64 = gif.toString('base64');
    expect(countGifFrames(base64Source(base64, decodedLength(base64), 30), 10)).toBe(3);
  });

  it('stops at stopAt', async () => {
    expect(countGifFrames(bufferSource(await makeAnimatedGif(20, 10, 5)))).toBe(2);
  });

  it('a truncated GIF counts what it has', async () => {
    const gif = await makeImage('gif', 32, 32);
    expect(countGifFrames(bufferSource(gif.subarray(0, 40)))).toBeLessThanOrEqual(1);
    expect(countGifFrames(bufferSource(gif.subarray(0, 8)))).toBe(0);
  });
});
