import { GatewayError, type ProviderImageRules } from '@app/core';

/** Per-model settings (`backend.modelOptions[model]`). */
export interface GeminiModelOptions {
  /** The model fetches http(s) image URLs itself (`fileData`); otherwise the gateway inlines them. Default false. */
  acceptsImageUrls: boolean;
  /** The model takes `generationConfig.mediaResolution` (OpenAI `detail` low/high). Default false. */
  mediaResolution: boolean;
  /** Send `thoughtSignature`s (Gemini 3). Default: model name starts with `gemini-3`. */
  thoughtSignatures: boolean;
  /** `maxOutputTokens` when the request sets none. */
  defaultMaxTokens?: number;
}

/** 20 MB: the inline-data request limit of generateContent. @see https://ai.google.dev/gemini-api/docs/image-understanding */
export const GEMINI_MAX_IMAGE_BYTES = 20 * 1024 * 1024;

function booleanOption(
  options: Record<string, unknown>,
  key: string,
  fallback: boolean,
  where: string,
): boolean {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw new GatewayError(500, `${where}.${key} must be true or false.`, { code: 'invalid_config' });
  return value;
}

/** Validates the per-model options of a Gemini backend (unknown keys are configuration mistakes). */
export function parseGeminiModelOptions(
  model: string,
  options: Record<string, unknown> = {},
  where = `modelOptions.${model}`,
): GeminiModelOptions {
  const known = new Set(['acceptsImageUrls', 'mediaResolution', 'thoughtSignatures', 'defaultMaxTokens']);
  for (const key of Object.keys(options)) {
    if (!known.has(key))
      throw new GatewayError(500, `Unknown Gemini model option ${where}.${key}.`, { code: 'invalid_config' });
  }
  const defaultMaxTokens = options.defaultMaxTokens;
  if (
    defaultMaxTokens !== undefined &&
    !(typeof defaultMaxTokens === 'number' && Number.isInteger(defaultMaxTokens) && defaultMaxTokens > 0)
  ) {
    throw new GatewayError(500, `${where}.defaultMaxTokens must be a positive integer.`, {
      code: 'invalid_config',
    });
  }
  return {
    acceptsImageUrls: booleanOption(options, 'acceptsImageUrls', false, where),
    mediaResolution: booleanOption(options, 'mediaResolution', false, where),
    thoughtSignatures: booleanOption(options, 'thoughtSignatures', /^gemini-3/.test(model), where),
    defaultMaxTokens: defaultMaxTokens as number | undefined,
  };
}

/** What the image layer must do before Gemini sees an image: inline URLs (unless allowed), GIF → PNG, ≤ 20 MB. */
export function geminiImageRules(options: GeminiModelOptions): ProviderImageRules {
  return {
    acceptsImageUrls: options.acceptsImageUrls,
    acceptedMediaTypes: ['image/png', 'image/jpeg', 'image/webp'],
    maxImageBytes: GEMINI_MAX_IMAGE_BYTES,
  };
}
