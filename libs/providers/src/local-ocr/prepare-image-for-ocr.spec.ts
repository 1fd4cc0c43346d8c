import sharp from 'sharp';
import { ocrScaleFactor, prepareImageForOcr } from './prepare-image-for-ocr';

describe('ocrScaleFactor', () => {
  it.each([
    [100, 50, 3],
    [750, 300, 2],
    [1500, 900, 1],
    [3000, 2000, 1],
    [10000, 500, 0.5],
    [0, 0, 1],
  ])('%ix%i → %f', (width, height, factor) => {
    expect(ocrScaleFactor(width, height)).toBeCloseTo(factor);
  });
});

describe('prepareImageForOcr', () => {
  it('flattens transparency onto white, makes grayscale and upscales small images', async () => {
    // Fully transparent black: must come out white, not black.
    const transparent = await sharp({
      create: { width: 100, height: 40, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .toBuffer();
    const prepared = await prepareImageForOcr(transparent, 'messages[0].content[0]');
    const { data, info } = await sharp(prepared).raw().toBuffer({ resolveWithObject: true });
    expect(await sharp(prepared).metadata()).toMatchObject({ format: 'png', channels: 1, space: 'b-w' });
    expect([info.width, info.height]).toEqual([300, 120]);
    expect(data.every((value) => value === 255)).toBe(true);
  });

  it.each(['gif', 'webp', 'jpeg'] as const)('decodes %s', async (format) => {
    const input = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#336699' } })
      .toFormat(format)
      .toBuffer();
    const prepared = await prepareImageForOcr(input, 'p');
    expect((await sharp(prepared).metadata()).format).toBe('png');
  });

  it('answers 400 naming the image when the bytes are not an image', async () => {
    await expect(
      prepareImageForOcr(Buffer.from('not an image'), 'messages[1].content[2]'),
    ).rejects.toMatchObject({
      status: 400,
      param: 'messages[1].content[2]',
      code: 'invalid_image',
    });
  });
});
