import type { GenerateContentResponseUsageMetadata } from '@google/genai';
import type { CompletionUsage } from '@app/core';

/**
 * Gemini `usageMetadata` → OpenAI `usage`. Thinking tokens are billed as output, so they count in
 * `completion_tokens` and are also shown as `reasoning_tokens`; cached prompt tokens → `cached_tokens`.
 * @see https://ai.google.dev/api/generate-content#UsageMetadata
 */
export function mapGeminiUsage(usage: GenerateContentResponseUsageMetadata): CompletionUsage {
  const promptTokens = (usage.promptTokenCount ?? 0) + (usage.toolUsePromptTokenCount ?? 0);
  const thoughts = usage.thoughtsTokenCount ?? 0;
  const completionTokens = (usage.candidatesTokenCount ?? 0) + thoughts;
  const mapped: CompletionUsage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: usage.totalTokenCount ?? promptTokens + completionTokens,
  };
  if (usage.cachedContentTokenCount !== undefined) {
    mapped.prompt_tokens_details = { cached_tokens: usage.cachedContentTokenCount };
  }
  if (usage.thoughtsTokenCount !== undefined) {
    mapped.completion_tokens_details = { reasoning_tokens: thoughts };
  }
  return mapped;
}
