import { GatewayError, type ChatRequest } from '@app/core';
import type { GatewayConfig } from '../config/gateway-config';

/** A model name ending in this turns OCR mode on: `gpt-3.5-turbo-ocr` → target `gpt-3.5-turbo`. */
export const OCR_MODEL_SUFFIX = '-ocr';

export interface OcrModeRequest {
  /** The name the client sent (the response's `model`). */
  clientModel: string;
  /** The model that answers, routed as usual. */
  targetModel: string;
  /** The model that analyses the images. */
  ocrModel: string;
}

/**
 * Names that route exactly (configured models, aliases, wildcard-free patterns): `local-ocr` or a configured
 * `my-ocr` model ends in `-ocr` but is a model of its own, never "`local` in OCR mode".
 */
export function exactModelNames(config: Pick<GatewayConfig, 'models' | 'backends'>): ReadonlySet<string> {
  const names = new Set(config.models.map((model) => model.id));
  for (const backend of config.backends) {
    for (const pattern of backend.modelPatterns) if (!pattern.includes('*')) names.add(pattern);
  }
  return names;
}

/**
 * Whether this request runs in OCR mode, and with which models: on when `ocr_model` is in the body or the
 * model name ends in `-ocr` (and is not a model of its own). The analysing model is `ocr_model`, else the
 * configured default.
 */
export function ocrModeOf(
  request: ChatRequest,
  defaultOcrModel: string,
  exactNames: ReadonlySet<string>,
): OcrModeRequest | undefined {
  const explicit = (request as unknown as Record<string, unknown>).ocr_model;
  const model = request.model;
  const suffixed =
    model.length > OCR_MODEL_SUFFIX.length && model.endsWith(OCR_MODEL_SUFFIX) && !exactNames.has(model);
  if ((explicit === undefined || explicit === null) && !suffixed) return undefined;
  if (
    explicit !== undefined &&
    explicit !== null &&
    (typeof explicit !== 'string' || explicit.trim().length === 0)
  ) {
    throw GatewayError.invalidRequest("'ocr_model' must name a model.", 'ocr_model');
  }
  return {
    clientModel: model,
    targetModel: suffixed ? model.slice(0, -OCR_MODEL_SUFFIX.length) : model,
    ocrModel: typeof explicit === 'string' ? explicit : defaultOcrModel,
  };
}
