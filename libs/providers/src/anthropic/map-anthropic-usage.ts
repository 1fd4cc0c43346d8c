import type { CompletionUsage } from '@app/core';

/** The usage fields Claude reports (message_start/message_delta/non-stream all carry a subset). */
export interface AnthropicUsageFields {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

/**
 * Claude usage → OpenAI usage. Claude counts cached input apart from `input_tokens`; OpenAI's
 * `prompt_tokens` includes it: prompt = input + cache read + cache creation, cached = cache read.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance
 */
export function mapAnthropicUsage(usage: AnthropicUsageFields): CompletionUsage {
  const cached = usage.cache_read_input_tokens ?? 0;
  const promptTokens = (usage.input_tokens ?? 0) + cached + (usage.cache_creation_input_tokens ?? 0);
  const completionTokens = usage.output_tokens ?? 0;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cached },
  };
}

/** Sums usages of parallel calls (`n > 1`). */
export function sumUsage(usages: readonly CompletionUsage[]): CompletionUsage {
  const total = (pick: (usage: CompletionUsage) => number | undefined) =>
    usages.reduce((sum, usage) => sum + (pick(usage) ?? 0), 0);
  return {
    prompt_tokens: total((usage) => usage.prompt_tokens),
    completion_tokens: total((usage) => usage.completion_tokens),
    total_tokens: total((usage) => usage.total_tokens),
    prompt_tokens_details: { cached_tokens: total((usage) => usage.prompt_tokens_details?.cached_tokens) },
  };
}
