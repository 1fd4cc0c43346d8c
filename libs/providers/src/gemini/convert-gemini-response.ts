import type { GenerateContentResponse } from '@google/genai';
import { GatewayError, type ChatCompletion } from '@app/core';
import { candidateIndex, convertGeminiLogprobs, convertGeminiParts } from './convert-gemini-parts';
import { mapGeminiFinishReason } from './map-gemini-finish-reason';
import { mapGeminiUsage } from './map-gemini-usage';

export interface ResponseContext {
  model: string;
  /** Called with finish reasons that have no OpenAI equivalent (the adapter logs them). */
  onUnmappedFinishReason?: (finishReason: string) => void;
}

/** The assistant message with the `reasoning_content` extension many OpenAI clients read. */
export type AssistantMessage = ChatCompletion.Choice['message'] & { reasoning_content?: string };

/**
 * A prompt Gemini refused to answer comes back as 200 with `promptFeedback.blockReason` and no candidates:
 * that is a 400 `content_filter`, never an empty success.
 * @see https://ai.google.dev/api/generate-content#PromptFeedback
 */
export function assertPromptNotBlocked(response: GenerateContentResponse): void {
  const reason = response.promptFeedback?.blockReason;
  if (!reason || (response.candidates?.length ?? 0) > 0) return;
  const detail = response.promptFeedback?.blockReasonMessage
    ? ` ${response.promptFeedback.blockReasonMessage}`
    : '';
  throw GatewayError.invalidRequest(
    `The prompt was blocked by Gemini (reason: ${reason}).${detail}`,
    'messages',
    'content_filter',
  );
}

/**
 * Gemini `GenerateContentResponse` → OpenAI `ChatCompletion`: candidates → choices, text joined, thought
 * parts → `reasoning_content`, function calls → `tool_calls` (finish reason `tool_calls`), usage mapped.
 * @see https://ai.google.dev/api/generate-content#v1beta.GenerateContentResponse
 */
export function convertGeminiResponse(
  response: GenerateContentResponse,
  context: ResponseContext,
): ChatCompletion {
  assertPromptNotBlocked(response);
  const candidates = response.candidates ?? [];
  if (candidates.length === 0) {
    throw new GatewayError(502, 'Gemini returned no candidates.', { code: 'upstream_empty_response' });
  }
  const choices = candidates.map((candidate, position): ChatCompletion.Choice => {
    const { text, reasoning, toolCalls } = convertGeminiParts(candidate.content?.parts);
    const mapped = mapGeminiFinishReason(candidate.finishReason, toolCalls.length > 0);
    if (mapped.unmapped && candidate.finishReason) context.onUnmappedFinishReason?.(candidate.finishReason);
    const message: AssistantMessage = {
      role: 'assistant',
      content: text.length > 0 || toolCalls.length === 0 ? text : null,
      refusal: null,
    };
    if (toolCalls.length > 0) message.tool_calls = toolCalls;
    if (reasoning.length > 0) message.reasoning_content = reasoning;
    return {
      index: candidateIndex(candidate, position),
      message,
      finish_reason: mapped.finishReason,
      logprobs: convertGeminiLogprobs(candidate.logprobsResult),
    };
  });
  const completion: ChatCompletion = {
    id: `chatcmpl-${response.responseId ?? crypto.randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: context.model,
    choices,
  };
  if (response.usageMetadata) completion.usage = mapGeminiUsage(response.usageMetadata);
  return completion;
}
