import type { GenerateContentResponse, GenerateContentResponseUsageMetadata } from '@google/genai';
import { GatewayError, type ChatCompletionChunk } from '@app/core';
import { candidateIndex, convertGeminiLogprobs, toolCallOfPart } from './convert-gemini-parts';
import { assertPromptNotBlocked } from './convert-gemini-response';
import { mapGeminiFinishReason } from './map-gemini-finish-reason';
import { mapGeminiUsage } from './map-gemini-usage';

export interface StreamContext {
  model: string;
  onUnmappedFinishReason?: (finishReason: string) => void;
}

type Delta = ChatCompletionChunk.Choice['delta'] & { reasoning_content?: string };

interface ChoiceState {
  nextToolIndex: number;
  finishReason?: string;
}

/**
 * Gemini `streamGenerateContent?alt=sse` events (as the SDK parses them) → OpenAI chunks. Role chunk first
 * per choice, then text / reasoning / whole tool calls in the order they come (text and a function call in
 * the same event both come through), one finish chunk per choice at the end (`tool_calls` when any call was
 * seen), then one usage chunk from the LAST usageMetadata (Gemini repeats running totals on many events).
 * @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 */
export async function* geminiStreamToChunks(
  events: AsyncIterable<GenerateContentResponse>,
  context: StreamContext,
): AsyncGenerator<ChatCompletionChunk> {
  let id: string | undefined;
  const created = Math.floor(Date.now() / 1000);
  const choices = new Map<number, ChoiceState>();
  let usage: GenerateContentResponseUsageMetadata | undefined;
  let sawEvent = false;

  const chunk = (
    index: number,
    delta: Delta,
    extra: Partial<ChatCompletionChunk.Choice> = {},
  ): ChatCompletionChunk => ({
    id: id!,
    object: 'chat.completion.chunk',
    created,
    model: context.model,
    choices: [{ index, delta, finish_reason: null, logprobs: null, ...extra }],
  });

  for await (const event of events) {
    if (!sawEvent) assertPromptNotBlocked(event);
    sawEvent = true;
    id ??= `chatcmpl-${event.responseId ?? crypto.randomUUID()}`;
    if (event.usageMetadata) usage = event.usageMetadata;
    for (const [position, candidate] of (event.candidates ?? []).entries()) {
      const index = candidateIndex(candidate, position);
      let state = choices.get(index);
      if (!state) {
        state = { nextToolIndex: 0 };
        choices.set(index, state);
        yield chunk(index, { role: 'assistant', content: '' });
      }
      let logprobs = convertGeminiLogprobs(candidate.logprobsResult);
      for (const part of candidate.content?.parts ?? []) {
        const toolCall = toolCallOfPart(part);
        if (toolCall) {
          yield chunk(index, { tool_calls: [{ index: state.nextToolIndex++, ...toolCall }] });
        } else if (typeof part.text === 'string' && part.text.length > 0) {
          if (part.thought) yield chunk(index, { reasoning_content: part.text });
          else {
            yield chunk(index, { content: part.text }, logprobs ? { logprobs } : {});
            logprobs = null;
          }
        }
      }
      if (candidate.finishReason) state.finishReason = candidate.finishReason;
    }
  }
  if (!sawEvent || choices.size === 0) {
    throw new GatewayError(502, 'Gemini ended the stream without any candidate.', {
      code: 'upstream_empty_response',
    });
  }
  for (const [index, state] of [...choices.entries()].sort(([a], [b]) => a - b)) {
    const mapped = mapGeminiFinishReason(state.finishReason, state.nextToolIndex > 0);
    if (mapped.unmapped && state.finishReason) context.onUnmappedFinishReason?.(state.finishReason);
    yield chunk(index, {}, { finish_reason: mapped.finishReason });
  }
  if (usage)
    yield {
      id: id!,
      object: 'chat.completion.chunk',
      created,
      model: context.model,
      choices: [],
      usage: mapGeminiUsage(usage),
    };
}
