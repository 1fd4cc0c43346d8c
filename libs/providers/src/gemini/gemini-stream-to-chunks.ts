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

/** Turns Gemini's stream events into OpenAI chunks, a batch of events at a time. */
export interface GeminiChunkTranslator {
  translate(events: readonly GenerateContentResponse[]): ChatCompletionChunk[];
  /** The body has ended: one finish chunk per choice, then the usage chunk; throws if the stream broke. */
  finish(): ChatCompletionChunk[];
}

/**
 * Gemini `streamGenerateContent?alt=sse` events → OpenAI chunks. Role chunk first per choice, then text /
 * reasoning / whole tool calls in the order they come (text and a function call in the same event both
 * come through), one finish chunk per choice at the end (`tool_calls` when any call was seen), then one
 * usage chunk from the LAST usageMetadata (Gemini repeats running totals on many events). A stream in
 * which a choice never got its finishReason was cut off: a 502, not a clean end.
 * @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 */
export function createGeminiChunkTranslator(context: StreamContext): GeminiChunkTranslator {
  let id: string | undefined;
  const created = Math.floor(Date.now() / 1000);
  const choices = new Map<number, ChoiceState>();
  let usage: GenerateContentResponseUsageMetadata | undefined;
  let sawEvent = false;
  /** The chunks of the batch being translated. */
  let out: ChatCompletionChunk[] = [];

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

  function translateEvent(event: GenerateContentResponse): void {
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
        out.push(chunk(index, { role: 'assistant', content: '' }));
      }
      let logprobs = convertGeminiLogprobs(candidate.logprobsResult);
      for (const part of candidate.content?.parts ?? []) {
        const toolCall = toolCallOfPart(part);
        if (toolCall) {
          out.push(chunk(index, { tool_calls: [{ index: state.nextToolIndex++, ...toolCall }] }));
        } else if (typeof part.text === 'string' && part.text.length > 0) {
          if (part.thought) out.push(chunk(index, { reasoning_content: part.text }));
          else {
            out.push(chunk(index, { content: part.text }, logprobs ? { logprobs } : {}));
            logprobs = null;
          }
        }
      }
      if (candidate.finishReason) state.finishReason = candidate.finishReason;
    }
  }

  return {
    translate(events) {
      out = [];
      for (const event of events) translateEvent(event);
      return out;
    },
    finish() {
      if (!sawEvent || choices.size === 0) {
        throw new GatewayError(502, 'Gemini ended the stream without any candidate.', {
          code: 'upstream_empty_response',
        });
      }
      out = [];
      for (const [index, state] of [...choices.entries()].sort(([a], [b]) => a - b)) {
        if (!state.finishReason) {
          throw new GatewayError(502, 'The Gemini stream ended before a finishReason.', {
            code: 'upstream_stream_truncated',
          });
        }
        const mapped = mapGeminiFinishReason(state.finishReason, state.nextToolIndex > 0);
        if (mapped.unmapped) context.onUnmappedFinishReason?.(state.finishReason);
        out.push(chunk(index, {}, { finish_reason: mapped.finishReason }));
      }
      if (usage) {
        out.push({
          id: id!,
          object: 'chat.completion.chunk',
          created,
          model: context.model,
          choices: [],
          usage: mapGeminiUsage(usage),
        });
      }
      return out;
    },
  };
}
