import { randomUUID } from 'node:crypto';
import type { ChatCompletion, ChatCompletionChunk, CompletionUsage } from '@app/core';
import type { LocalOcrParameters } from './decide-local-ocr-parameters';

/** OpenAI's rule of thumb (~4 characters of English per token), used to estimate tokens for a local engine. */
const CHARACTERS_PER_TOKEN = 4;
export const NO_TEXT_FOUND = '(no text recognised)';

/**
 * Usage of a local reading. `prompt_tokens` is 0: the engine reads no prompt and no upstream bills anything.
 * `completion_tokens` estimates the answer at ~4 characters per token, so OCR-mode sums and client budgets
 * stay meaningful.
 */
export function estimateUsage(text: string): CompletionUsage {
  const completion = Math.ceil(text.length / CHARACTERS_PER_TOKEN);
  return { prompt_tokens: 0, completion_tokens: completion, total_tokens: completion };
}

/** The text of each image, trimmed; several images are numbered in order. */
export function joinReadings(readings: readonly string[]): string {
  const texts = readings.map((text) => (text.trim().length > 0 ? text.trim() : NO_TEXT_FOUND));
  if (texts.length === 1) return texts[0];
  return texts.map((text, index) => `[Image ${index + 1}]\n${text}`).join('\n\n');
}

/** Applies `stop` and the token limit, as a model would: stop wins over length when it comes first. */
export function applyLimits(
  text: string,
  parameters: Pick<LocalOcrParameters, 'stop' | 'maxTokens'>,
): { text: string; finishReason: 'stop' | 'length' } {
  let cut = text;
  for (const sequence of parameters.stop) {
    const at = cut.indexOf(sequence);
    if (at >= 0) cut = cut.slice(0, at);
  }
  const limit = parameters.maxTokens === undefined ? undefined : parameters.maxTokens * CHARACTERS_PER_TOKEN;
  if (limit !== undefined && cut.length > limit) return { text: cut.slice(0, limit), finishReason: 'length' };
  return { text: cut, finishReason: 'stop' };
}

export interface LocalOcrAnswer {
  id: string;
  created: number;
  model: string;
  text: string;
  finishReason: 'stop' | 'length';
}

export function newAnswer(model: string, text: string, finishReason: 'stop' | 'length'): LocalOcrAnswer {
  return {
    id: `chatcmpl-${randomUUID().replace(/-/g, '')}`,
    created: Math.floor(Date.now() / 1000),
    model,
    text,
    finishReason,
  };
}

/** @see https://platform.openai.com/docs/api-reference/chat/object */
export function toCompletion(answer: LocalOcrAnswer): ChatCompletion {
  return {
    id: answer.id,
    object: 'chat.completion',
    created: answer.created,
    model: answer.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: answer.text, refusal: null },
        finish_reason: answer.finishReason,
        logprobs: null,
      },
    ],
    usage: estimateUsage(answer.text),
  };
}

/** Longest piece of text per chunk: a reading streams line by line, long lines in pieces. */
const MAX_CHUNK_CHARACTERS = 200;

/** Splits the text into chunks that concatenate back to it exactly. */
export function splitForStreaming(text: string): string[] {
  const pieces: string[] = [];
  for (const line of text.match(/[^\n]*\n|[^\n]+$/g) ?? []) {
    for (let start = 0; start < line.length; start += MAX_CHUNK_CHARACTERS) {
      pieces.push(line.slice(start, start + MAX_CHUNK_CHARACTERS));
    }
  }
  return pieces;
}

/**
 * The same answer as OpenAI streams it: a role chunk, content chunks, a finish chunk, then the usage chunk
 * with `choices: []` (the app forwards it only when the client asked for usage).
 * @see https://platform.openai.com/docs/api-reference/chat-streaming/streaming
 */
export function toChunks(answer: LocalOcrAnswer): ChatCompletionChunk[] {
  const chunk = (choices: ChatCompletionChunk['choices'], usage?: CompletionUsage): ChatCompletionChunk => ({
    id: answer.id,
    object: 'chat.completion.chunk',
    created: answer.created,
    model: answer.model,
    choices,
    ...(usage ? { usage } : {}),
  });
  return [
    chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, logprobs: null }]),
    ...splitForStreaming(answer.text).map((content) =>
      chunk([{ index: 0, delta: { content }, finish_reason: null, logprobs: null }]),
    ),
    chunk([{ index: 0, delta: {}, finish_reason: answer.finishReason, logprobs: null }]),
    chunk([], estimateUsage(answer.text)),
  ];
}
