import type { CompletionUsage, OcrImageAnalysis } from '@app/core';

/** The OCR part of a response: sent as `x_iris.ocr` in the body and summed up in `x-iris-ocr-usage`. */
export interface OcrBreakdown {
  /** The analysing model. */
  model: string;
  /** One entry per image, in conversation order. */
  images: OcrImageAnalysis[];
  /** The analysis calls of this request (cached images cost nothing). */
  usage: CompletionUsage;
}

export const OCR_USAGE_HEADER = 'x-iris-ocr-usage';

/** e.g. `model=local-ocr; images=2; cached=1; prompt_tokens=0; completion_tokens=12; total_tokens=12` */
export function ocrUsageHeader(breakdown: OcrBreakdown): string {
  const cached = breakdown.images.filter((image) => image.cached).length;
  return [
    `model=${breakdown.model}`,
    `images=${breakdown.images.length}`,
    `cached=${cached}`,
    `prompt_tokens=${breakdown.usage.prompt_tokens}`,
    `completion_tokens=${breakdown.usage.completion_tokens}`,
    `total_tokens=${breakdown.usage.total_tokens}`,
  ].join('; ');
}

/**
 * The response's usage: the target's plus the analyses' (price = base model + analysing model). The target's
 * detail objects are kept as they are: they describe the target call only.
 */
export function addOcrUsage(
  target: CompletionUsage | null | undefined,
  analyses: CompletionUsage,
): CompletionUsage {
  return {
    ...(target ?? {}),
    prompt_tokens: (target?.prompt_tokens ?? 0) + analyses.prompt_tokens,
    completion_tokens: (target?.completion_tokens ?? 0) + analyses.completion_tokens,
    total_tokens: (target?.total_tokens ?? 0) + analyses.total_tokens,
  };
}
