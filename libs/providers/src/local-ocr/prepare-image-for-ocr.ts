import sharp from 'sharp';
import { GatewayError } from '@app/core';

/** Text smaller than this (longest side, px) is upscaled: Tesseract reads glyphs of ~20-30 px best. */
const UPSCALE_BELOW_SIDE = 1500;
const MAX_UPSCALE = 3;
/** Huge scans are reduced: recognition time grows with the pixel count, accuracy does not. */
const MAX_SIDE = 5000;
/** Rejects decompression bombs before decoding. */
const MAX_INPUT_PIXELS = 100_000_000;

/** The scale factor for an image of this size (pure, for tests). */
export function ocrScaleFactor(width: number, height: number): number {
  const longest = Math.max(width, height);
  if (longest <= 0) return 1;
  if (longest > MAX_SIDE) return MAX_SIDE / longest;
  if (longest < UPSCALE_BELOW_SIDE) return Math.min(MAX_UPSCALE, UPSCALE_BELOW_SIDE / longest);
  return 1;
}

/**
 * Normalises any of the four formats (first frame of a GIF) to what Tesseract reads best: transparency
 * flattened onto white (black text on a transparent PNG would otherwise become black on black), grayscale,
 * small images upscaled, as a fast-compressed PNG.
 * @param param the image's path for the 400 when the bytes cannot be decoded
 */
export async function prepareImageForOcr(bytes: Buffer, param: string): Promise<Buffer> {
  try {
    const metadata = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
    const width = metadata.width ?? 0;
    const height = metadata.pageHeight ?? metadata.height ?? 0;
    const scale = ocrScaleFactor(width, height);
    let pipeline = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, pages: 1 })
      .flatten({ background: '#ffffff' })
      .grayscale()
      .toColourspace('b-w');
    if (scale !== 1) {
      pipeline = pipeline.resize({ width: Math.max(1, Math.round(width * scale)), kernel: 'lanczos3' });
    }
    return await pipeline.png({ compressionLevel: 1 }).toBuffer();
  } catch (error) {
    throw GatewayError.invalidRequest(
      `The image could not be decoded for OCR: ${error instanceof Error ? error.message : String(error)}`,
      param,
      'invalid_image',
    );
  }
}
