import type { ChatCompletion } from '@app/core';

export type OpenAiFinishReason = ChatCompletion.Choice['finish_reason'];

/** Gemini finish reasons that mean "output was filtered". */
const CONTENT_FILTER_REASONS = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

/**
 * Gemini `finishReason` → OpenAI `finish_reason`. Gemini says STOP even when the candidate made function
 * calls, so the caller passes `hasToolCalls`. Unknown reasons map to `stop` and are reported as `unmapped`
 * so the adapter can log the raw value.
 * @see https://ai.google.dev/api/generate-content#FinishReason
 */
export function mapGeminiFinishReason(
  finishReason: string | undefined,
  hasToolCalls: boolean,
): { finishReason: OpenAiFinishReason; unmapped: boolean } {
  if (finishReason === undefined || finishReason === 'STOP' || finishReason === 'FINISH_REASON_UNSPECIFIED') {
    return { finishReason: hasToolCalls ? 'tool_calls' : 'stop', unmapped: false };
  }
  if (finishReason === 'MAX_TOKENS') return { finishReason: 'length', unmapped: false };
  if (CONTENT_FILTER_REASONS.has(finishReason)) return { finishReason: 'content_filter', unmapped: false };
  return { finishReason: hasToolCalls ? 'tool_calls' : 'stop', unmapped: true };
}
