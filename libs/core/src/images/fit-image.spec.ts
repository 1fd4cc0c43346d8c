import sharp, { type Sharp } from 'sharp';
import { gradient, makeAnimatedGif, makeImage, makeSvg } from './__fixtures__/sample-images';
import { firstDeflateBlockType, fitImage, ImageTooLargeToFitError, UndecodableImageError } from './fit-image';

/** Gaussian noise: what deflate cannot shrink (like a photo saved as PNG). */
function noise(width: number, height: number): Sharp {
  return sharp({
    create: {
      width,
      height,
      channels: 3,
      background: { r: 0, g: 0, b: 0 },
      noise: { type: 'gaussian', mean: 128, sigma: 60 },
    },
  });
}

describe('fitImage (sharp, checked by decoding the output)', () => {
  it('downscales to fit inside the side, keeping the aspect ratio and format', async () => {
    const input = await makeImage('jpeg', 1200, 600);
    const fitted = await fitImage(input, { outputType: 'image/jpeg', maxSide: 512, reasons: ['detail low'] });
    const decoded = await sharp(fitted.data).metadata();
    expect([decoded.format, decoded.width, decoded.height]).toEqual(['jpeg', 512, 256]);
    expect([fitted.width, fitted.height, fitted.mediaType]).toEqual([512, 256, 'image/jpeg']);
  });

  it('converts a GIF to PNG (first frame of an animated one)', async () => {
    const input = await makeAnimatedGif(20, 10, 3);
    const fitted = await fitImage(input, { outputType: 'image/png', reasons: ['gif not accepted'] });
    const decoded = await sharp(fitted.data).metadata();
    expect([decoded.format, decoded.width, decoded.height, decoded.pages ?? 1]).toEqual(['png', 20, 10, 1]);
    const { data } = await sharp(fitted.data).raw().toBuffer({ resolveWithObject: true });
    expect(data[0]).toBe(0); // frame 0 was filled with 0, frames 1 and 2 with 80 and 160
  });

  it('converts an SVG (extra format) to PNG', async () => {
    const fitted = await fitImage(makeSvg(), { outputType: 'image/png', reasons: ['svg'] });
    expect(await sharp(fitted.data).metadata()).toMatchObject({ format: 'png', width: 30, height: 20 });
  });

  it('gets a lossless image under a byte limit: lossy fallback, then smaller sides', async () => {
    const input = await gradient(1500, 1500).png({ compressionLevel: 0 }).toBuffer();
    const maxBytes = 60 * 1024;
    const fitted = await fitImage(input, {
      outputType: 'image/png',
      maxBytes,
      lossyFallback: 'image/jpeg',
      reasons: ['over limit'],
    });
    expect(fitted.data.length).toBeLessThanOrEqual(maxBytes);
    expect(fitted.mediaType).toBe('image/jpeg');
    expect(fitted.attempts).toBeGreaterThan(1);
    const decoded = await sharp(fitted.data).metadata();
    expect(decoded.format).toBe('jpeg');
    expect(decoded.width).toBe(fitted.width);
  });

  it('keeps transparency: an image with alpha falls back to the alpha-capable lossy format', async () => {
    const input = await sharp({
      create: {
        width: 600,
        height: 600,
        channels: 4,
        background: { r: 0, g: 0, b: 0, alpha: 0.5 },
        noise: { type: 'gaussian', mean: 128, sigma: 60 },
      },
    })
      .png()
      .toBuffer();
    const plan = {
      outputType: 'image/png' as const,
      maxBytes: input.length - 1,
      lossyFallback: 'image/jpeg' as const,
      lossyFallbackWithAlpha: 'image/webp' as const,
      reasons: ['over limit'],
    };
    const fitted = await fitImage(input, plan);
    expect(fitted.mediaType).toBe('image/webp');
    expect((await sharp(fitted.data).metadata()).hasAlpha).toBe(true);
    const opaque = await sharp(input).removeAlpha().png().toBuffer();
    const fittedOpaque = await fitImage(opaque, { ...plan, maxBytes: opaque.length - 1 });
    expect(fittedOpaque.mediaType).toBe('image/jpeg');
  });

  it('sends a PNG over the byte limit whose content deflate cannot shrink to the lossy format at once', async () => {
    const input = await noise(500, 400).png().toBuffer();
    const plan = {
      outputType: 'image/png' as const,
      maxBytes: input.length - 1,
      lossyFallback: 'image/jpeg' as const,
      reasons: ['over limit'],
    };
    const fitted = await fitImage(input, plan);
    expect([fitted.mediaType, fitted.attempts, fitted.width, fitted.height]).toEqual([
      'image/jpeg',
      1,
      500,
      400,
    ]);
    expect(fitted.data.length).toBeLessThanOrEqual(plan.maxBytes);
    // The same pixels written uncompressed (stored deflate blocks) are as large, but get the lossless try,
    // which fits: deflate does shrink them a little.
    const stored = await noise(500, 400).png({ compressionLevel: 0 }).toBuffer();
    const fittedStored = await fitImage(stored, { ...plan, maxBytes: stored.length - 1 });
    expect([fittedStored.mediaType, fittedStored.attempts]).toEqual(['image/png', 1]);
    // Without a lossy format it is downscaled as before.
    const lossless = await fitImage(input, { ...plan, lossyFallback: undefined });
    expect(lossless.mediaType).toBe('image/png');
    expect(lossless.width).toBeLessThan(500);
  });

  it('reads the first deflate block type of a PNG (0 stored, 1 fixed, 2 dynamic)', async () => {
    expect(firstDeflateBlockType(await noise(50, 40).png({ compressionLevel: 0 }).toBuffer())).toBe(0);
    expect([1, 2]).toContain(firstDeflateBlockType(await noise(50, 40).png().toBuffer()));
    expect(firstDeflateBlockType(Buffer.from('89504e470d0a1a0a', 'hex'))).toBeUndefined();
  });

  it('downscales a PNG when no lossy format is accepted', async () => {
    const input = await gradient(800, 800).png({ compressionLevel: 0 }).toBuffer();
    const fitted = await fitImage(input, {
      outputType: 'image/png',
      maxBytes: 200 * 1024,
      reasons: ['over limit'],
    });
    expect(fitted.mediaType).toBe('image/png');
    expect(fitted.data.length).toBeLessThanOrEqual(200 * 1024);
    expect(fitted.width).toBeLessThan(800);
  });

  it('flattens alpha onto white for JPEG output', async () => {
    const input = await makeImage('webp-alpha', 10, 10);
    const fitted = await fitImage(input, { outputType: 'image/jpeg', reasons: ['convert'] });
    const decoded = await sharp(fitted.data).metadata();
    expect([decoded.format, decoded.hasAlpha]).toEqual(['jpeg', false]);
  });

  it('applies EXIF orientation before dropping metadata', async () => {
    const rotated = await gradient(40, 20).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const fitted = await fitImage(rotated, { outputType: 'image/jpeg', maxSide: 30, reasons: ['x'] });
    expect([fitted.width, fitted.height]).toEqual([15, 30]); // 40×20 rotated 90° is 20×40
  });

  it('undecodable bytes → UndecodableImageError', async () => {
    const broken = Buffer.concat([(await makeImage('png')).subarray(0, 40), Buffer.alloc(50)]);
    await expect(
      fitImage(broken, { outputType: 'image/png', maxSide: 10, reasons: [] }),
    ).rejects.toBeInstanceOf(UndecodableImageError);
  });

  it('gives up with ImageTooLargeToFitError when even the smallest size is too big', async () => {
    const input = await makeImage('png', 200, 200);
    await expect(
      fitImage(input, { outputType: 'image/png', maxBytes: 10, reasons: [] }),
    ).rejects.toBeInstanceOf(ImageTooLargeToFitError);
  });
});
