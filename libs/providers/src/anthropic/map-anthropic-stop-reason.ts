import type { StopReason } from '@anthropic-ai/sdk/resources/messages/messages';
import type { ChatCompletion } from '@app/core';

export type FinishReason = ChatCompletion.Choice['finish_reason'];

/**
 * Claude `stop_reason` → OpenAI `finish_reason`. Unknown or unmappable values (`pause_turn`, future ones)
 * become `stop`; `known: false` tells the caller to log the raw value.
 * @see https://docs.anthropic.com/en/api/handling-stop-reasons
 */
export function mapAnthropicStopReason(
  reason: StopReason | string | null | undefined,
  options: { structuredOutput?: boolean } = {},
): { finishReason: FinishReason; known: boolean } {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return { finishReason: 'stop', known: true };
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return { finishReason: 'length', known: true };
    case 'tool_use':
      // The forced JSON tool is an answer, not a tool call.
      return { finishReason: options.structuredOutput ? 'stop' : 'tool_calls', known: true };
    case 'refusal':
      return { finishReason: 'content_filter', known: true };
    default:
      return { finishReason: 'stop', known: false };
  }
}
