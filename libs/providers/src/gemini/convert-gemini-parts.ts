import type { Candidate, LogprobsResult, Part } from '@google/genai';
import type { ChatCompletion, ChatCompletionMessageToolCall } from '@app/core';
import { newToolCallId } from './tool-call-id';

/** The OpenAI pieces of one candidate's parts. */
export type FunctionToolCall = Extract<ChatCompletionMessageToolCall, { type: 'function' }>;

export interface ConvertedParts {
  text: string;
  /** Thought-summary text (`thought: true` parts) → the de-facto `reasoning_content` field. */
  reasoning: string;
  toolCalls: FunctionToolCall[];
}

/** A `functionCall` part → an OpenAI tool call; its thought signature (Gemini 3) rides in the id. */
export function toolCallOfPart(part: Part): FunctionToolCall | undefined {
  const call = part.functionCall;
  if (!call) return undefined;
  return {
    id: newToolCallId(part.thoughtSignature),
    type: 'function',
    function: { name: call.name ?? '', arguments: JSON.stringify(call.args ?? {}) },
  };
}

/**
 * Candidate parts → text, reasoning and tool calls. Text parts are joined; executable code and other
 * part kinds are not produced for plain function/text requests.
 * @see https://ai.google.dev/api/caching#Part
 */
export function convertGeminiParts(parts: readonly Part[] | undefined): ConvertedParts {
  const converted: ConvertedParts = { text: '', reasoning: '', toolCalls: [] };
  for (const part of parts ?? []) {
    if (part.functionCall) converted.toolCalls.push(toolCallOfPart(part)!);
    else if (typeof part.text === 'string' && part.thought) converted.reasoning += part.text;
    else if (typeof part.text === 'string') converted.text += part.text;
  }
  return converted;
}

/** `logprobsResult` → OpenAI `logprobs.content`. @see https://ai.google.dev/api/generate-content#LogprobsResult */
export function convertGeminiLogprobs(result: LogprobsResult | undefined): ChatCompletion.Choice['logprobs'] {
  if (!result?.chosenCandidates) return null;
  return {
    content: result.chosenCandidates.map((chosen, index) => {
      const token = chosen.token ?? '';
      return {
        token,
        logprob: chosen.logProbability ?? 0,
        bytes: [...Buffer.from(token, 'utf8')],
        top_logprobs: (result.topCandidates?.[index]?.candidates ?? []).map((top) => ({
          token: top.token ?? '',
          logprob: top.logProbability ?? 0,
          bytes: [...Buffer.from(top.token ?? '', 'utf8')],
        })),
      };
    }),
    refusal: null,
  };
}

export function candidateIndex(candidate: Candidate, position: number): number {
  return candidate.index ?? position;
}
