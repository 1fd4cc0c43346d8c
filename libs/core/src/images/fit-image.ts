import type sharpFactory from 'sharp';
import type { Metadata, Sharp } from 'sharp';
import type { FitPlan } from './plan-image-fit';
import type { ImageMediaType } from './provider-image-rules';

type SharpFactory = typeof sharpFactory;
let sharpModule: Promise<SharpFactory> | undefined;

/** sharp (libvips) loads on first use, so code that imports core but never resizes does not pay for it. */
function loadSharp(): Promise<SharpFactory> {
  sharpModule ??= import('sharp').then(
    (loaded: unknown) => ((loaded as { default?: SharpFactory }).default ?? loaded) as SharpFactory,
  );
  return sharpModule;
}

export interface FittedImage {
  data: Buffer;
  mediaType: ImageMediaType;
  width: number;
  height: number;
  /** Encodings tried (1 when the first fit). */
  attempts: number;
}

/** Decoding failed: the bytes carry an image signature but are not a readable image. */
export class UndecodableImageError extends Error {}

/** Image does not get under the byte limit even at the smallest size tried. */
export class ImageTooLargeToFitError extends Error {}

const MAX_ATTEMPTS = 8;
const MIN_SIDE = 64;
/**
 * A deflated PNG at least this fraction of its raw pixel size holds content deflate cannot shrink (photos,
 * noise): re-encoding it losslessly at the same size cannot get it meaningfully smaller.
 */
const INCOMPRESSIBLE_PNG_RATIO = 0.9;

/**
 * Carries out a FitPlan with sharp. Every decode/resize/encode runs in libvips on the libuv thread pool
 * (`toBuffer` is asynchronous): the event loop is never blocked by pixel work. Orientation from EXIF is applied
 * before metadata is dropped. When the output is still over `maxBytes`: a lossless output switches to the
 * lossy fallback, then the side shrinks by the square root of the overshoot, until it fits. A PNG that is
 * over the byte limit only, and already as small as deflate can make its content, goes to the lossy fallback
 * at once: the lossless attempt would cost a full encode (~80 ms for a 1024×1307 photo) and not fit.
 */
export async function fitImage(input: Buffer, plan: FitPlan): Promise<FittedImage> {
  const sharp = await loadSharp();
  const metadata = await sharp(input, { failOn: 'none' })
    .metadata()
    .catch((error: Error) => {
      throw new UndecodableImageError(error.message);
    });
  let outputType = plan.outputType;
  let side = plan.maxSide;
  const sourceLongest = Math.max(metadata.width ?? 0, metadata.height ?? 0);
  const lossy = metadata.hasAlpha ? (plan.lossyFallbackWithAlpha ?? plan.lossyFallback) : plan.lossyFallback;
  const sameSize = side === undefined || side >= sourceLongest;
  if (
    lossy &&
    outputType === 'image/png' &&
    sameSize &&
    isIncompressiblePng(input, metadata, plan.maxBytes)
  ) {
    outputType = lossy;
  }
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    let pipeline: Sharp = sharp(input, { failOn: 'none', animated: false }).rotate();
    if (side) pipeline = pipeline.resize(side, side, { fit: 'inside', withoutEnlargement: true });
    pipeline = encode(pipeline, outputType, metadata.hasAlpha === true);
    const { data, info } = await pipeline.toBuffer({ resolveWithObject: true }).catch((error: Error) => {
      throw new UndecodableImageError(error.message);
    });
    if (!plan.maxBytes || data.length <= plan.maxBytes) {
      return { data, mediaType: outputType, width: info.width, height: info.height, attempts: attempt };
    }
    if ((outputType === 'image/png' || outputType === 'image/gif') && lossy) {
      outputType = lossy;
      continue;
    }
    const current = Math.max(info.width, info.height) || sourceLongest;
    const next = Math.floor(current * Math.sqrt(plan.maxBytes / data.length) * 0.9);
    if (current <= MIN_SIDE) break;
    side = Math.max(MIN_SIDE, Math.min(next, current - 1));
  }
  throw new ImageTooLargeToFitError(`could not be reduced under ${plan.maxBytes} bytes`);
}

/**
 * An over-limit PNG whose bytes are already `INCOMPRESSIBLE_PNG_RATIO` of its raw pixels, and really deflated:
 * a PNG written with stored (uncompressed) blocks is just as large but shrinks when re-encoded, so it keeps
 * its lossless attempt.
 */
function isIncompressiblePng(input: Buffer, metadata: Metadata, maxBytes: number | undefined): boolean {
  if (metadata.format !== 'png' || !maxBytes || input.length <= maxBytes) return false;
  const { width, height, channels } = metadata;
  if (!width || !height || !channels) return false;
  const rawBytes = width * height * channels * (metadata.depth === 'ushort' ? 2 : 1);
  return input.length >= rawBytes * INCOMPRESSIBLE_PNG_RATIO && firstDeflateBlockType(input) !== 0;
}

/**
 * The type of the first deflate block of a PNG's first IDAT chunk (0 stored, 1 fixed, 2 dynamic), or
 * undefined when there is none.
 * @see https://www.w3.org/TR/png-3/#10Compression (zlib stream in IDAT) and RFC 1951 §3.2.3 (block header)
 */
export function firstDeflateBlockType(png: Buffer): number | undefined {
  for (let offset = 8; offset + 8 <= png.length;) {
    const length = png.readUInt32BE(offset);
    if (png.toString('latin1', offset + 4, offset + 8) === 'IDAT') {
      const data = offset + 8;
      // zlib header: CMF, FLG, and a 4-byte preset dictionary id when FLG.FDICT is set.
      const blockStart = data + 2 + (png[data + 1] & 0x20 ? 4 : 0);
      return blockStart < png.length && length > blockStart - data
        ? (png[blockStart] >> 1) & 0b11
        : undefined;
    }
    offset += 12 + length;
  }
  return undefined;
}

function encode(pipeline: Sharp, type: ImageMediaType, hasAlpha: boolean): Sharp {
  switch (type) {
    case 'image/png':
      return pipeline.png();
    case 'image/jpeg':
      return (hasAlpha ? pipeline.flatten({ background: '#ffffff' }) : pipeline).jpeg({ quality: 85 });
    case 'image/webp':
      return pipeline.webp({ quality: 85 });
    case 'image/gif':
      return pipeline.gif();
  }
}
