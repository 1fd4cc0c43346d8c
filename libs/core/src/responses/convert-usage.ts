import type { CompletionUsage } from '../openai-types';
import type { ResponseUsage } from './responses-types';

/**
 * Chat usage → Responses usage. Chat reports no cache writes, so `cache_write_tokens` is 0.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-usage
 */
export function convertUsage(usage: CompletionUsage): ResponseUsage {
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: {
      cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
      cache_write_tokens: 0,
    },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: usage.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: usage.total_tokens,
  };
}
