import { isImageMediaType, type SniffedImageType } from './image-formats';
import type { ImageDetail } from './image-token-cost';
import type { ImageMediaType, ProviderImageRules } from './provider-image-rules';

/** What is known about an image before anything is decoded. */
export interface ImageFacts {
  type: SniffedImageType;
  animated: boolean;
  bytes: number;
  width?: number;
  height?: number;
}

/** What must be done to fit one image to a backend; `undefined` from `planImageFit` means: send it as it is. */
export interface FitPlan {
  outputType: ImageMediaType;
  /** Fit within this many pixels per side (never enlarging). */
  maxSide?: number;
  /** Largest decoded output in bytes. */
  maxBytes?: number;
  /**
   * Lossy format to switch to when a lossless output is still too big (undefined: only downscale). JPEG when
   * accepted: it encodes ~9× faster than WebP at the same quality (measured: 32 vs 291 ms for a 1024×1307
   * photo) and every backend takes it.
   */
  lossyFallback?: ImageMediaType;
  /** The same for an image with an alpha channel: WebP keeps transparency, JPEG would flatten it onto white. */
  lossyFallbackWithAlpha?: ImageMediaType;
  /** Why, one line each (for the debug log and the report). */
  reasons: string[];
}

/**
 * The side `detail: "low"` fits into on every backend (OpenAI's low-detail size).
 * @see https://platform.openai.com/docs/guides/images-vision#low-or-high-fidelity-image-understanding
 */
export const LOW_DETAIL_SIDE = 512;

/** Pure decision: convert (format not taken / animated / extra format), downscale (side limits, low detail), shrink (bytes). */
export function planImageFit(
  facts: ImageFacts,
  rules: ProviderImageRules,
  detail: ImageDetail | undefined,
  imageCount: number,
): FitPlan | undefined {
  const reasons: string[] = [];
  const accepted = rules.acceptedMediaTypes;
  const takenAsIs = isImageMediaType(facts.type) && !facts.animated && accepted.includes(facts.type);
  if (!takenAsIs) {
    reasons.push(
      facts.animated
        ? `animated ${facts.type}: first frame only`
        : `${facts.type} is not accepted by the backend`,
    );
  }

  const sideLimits: Array<[number, string]> = [];
  if (rules.maxImageSide) sideLimits.push([rules.maxImageSide, 'backend side limit']);
  if (rules.manyImages && imageCount > rules.manyImages.moreThan) {
    sideLimits.push([rules.manyImages.maxImageSide, `more than ${rules.manyImages.moreThan} images`]);
  }
  if (detail === 'low') sideLimits.push([LOW_DETAIL_SIDE, 'detail low']);
  const tightest = sideLimits.sort((left, right) => left[0] - right[0])[0];
  const longest = facts.width && facts.height ? Math.max(facts.width, facts.height) : undefined;
  const maxSide = tightest && (longest === undefined || longest > tightest[0]) ? tightest[0] : undefined;
  if (maxSide && tightest) reasons.push(`longer than ${maxSide} px (${tightest[1]})`);

  const byteLimits = [
    rules.maxImageBytes,
    rules.maxBase64Length && Math.floor(rules.maxBase64Length / 4) * 3,
  ];
  const maxBytes = byteLimits
    .filter((limit): limit is number => typeof limit === 'number' && limit > 0)
    .sort((a, b) => a - b)[0];
  if (maxBytes && facts.bytes > maxBytes) reasons.push(`over ${maxBytes} bytes`);

  if (reasons.length === 0) return undefined;
  return {
    outputType: outputTypeFor(facts, takenAsIs, accepted),
    maxSide,
    maxBytes,
    lossyFallback: (['image/jpeg', 'image/webp'] as const).find((type) => accepted.includes(type)),
    lossyFallbackWithAlpha: (['image/webp', 'image/jpeg'] as const).find((type) => accepted.includes(type)),
    reasons,
  };
}

/** Same format when the backend takes it (a GIF being re-encoded becomes PNG: lossless, no palette); else PNG first. */
function outputTypeFor(
  facts: ImageFacts,
  takenAsIs: boolean,
  accepted: readonly ImageMediaType[],
): ImageMediaType {
  if (takenAsIs && facts.type !== 'image/gif') return facts.type as ImageMediaType;
  const preferred: ImageMediaType[] = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];
  return preferred.find((type) => accepted.includes(type)) ?? 'image/png';
}
