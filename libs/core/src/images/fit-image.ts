import type sharpFactory from 'sharp';
import type { Sharp } from 'sharp';
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
 * Carries out a FitPlan with sharp. Every decode/resize/encode runs in libvips on the libuv thread pool
 * (`toBuffer` is asynchronous): the event loop is never blocked by pixel work. Orientation from EXIF is applied
 * before metadata is dropped. When the output is still over `maxBytes`: a lossless output switches to the
 * lossy fallback, then the side shrinks by the square root of the overshoot, until it fits.
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
    const lossy = metadata.hasAlpha
      ? (plan.lossyFallbackWithAlpha ?? plan.lossyFallback)
      : plan.lossyFallback;
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
