import type { Message } from '@anthropic-ai/sdk/resources/messages/messages';
import type { ChatCompletion, ChatCompletionMessageToolCall, Logger } from '@app/core';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason';
import { mapAnthropicUsage, sumUsage } from './map-anthropic-usage';

/** OpenAI's message plus the de-facto `reasoning_content` field (DeepSeek, vLLM, LiteLLM) for thinking text. */
export type ChatMessageWithReasoning = ChatCompletion.Choice['message'] & { reasoning_content?: string };

export interface ResponseContext {
  /** The upstream model name (the app overwrites it with the client's name). */
  model: string;
  /** The forced JSON tool whose input is the answer (`structuredOutputs: 'tool'`). */
  structuredOutputTool?: string;
  logger?: Logger;
  /** Seconds since the epoch; injectable for tests. */
  created?: number;
}

/**
 * One Claude message → one OpenAI choice: text joined, `tool_use` → `tool_calls`, thinking →
 * `reasoning_content`, other (server-tool) blocks skipped since the gateway never enables those tools.
 * @see https://docs.anthropic.com/en/api/messages#response
 */
export function convertAnthropicChoice(
  message: Message,
  index: number,
  context: ResponseContext,
): ChatCompletion.Choice {
  let text = '';
  let reasoning = '';
  const toolCalls: ChatCompletionMessageToolCall[] = [];
  let structuredOutput: string | undefined;
  for (const block of message.content) {
    if (block.type === 'text') text += block.text;
    else if (block.type === 'thinking') reasoning += block.thinking;
    else if (block.type === 'tool_use') {
      const argumentsText = JSON.stringify(block.input ?? {});
      if (block.name === context.structuredOutputTool) structuredOutput = argumentsText;
      else
        toolCalls.push({
          id: block.id,
          type: 'function',
          function: { name: block.name, arguments: argumentsText },
        });
    }
  }
  if (structuredOutput !== undefined) text = structuredOutput; // the JSON is the answer; preamble text dropped
  const { finishReason, known } = mapAnthropicStopReason(message.stop_reason, {
    structuredOutput: structuredOutput !== undefined,
  });
  if (!known) context.logger?.warn({ stopReason: message.stop_reason }, 'unmapped Claude stop_reason');

  const chatMessage: ChatMessageWithReasoning = {
    role: 'assistant',
    content: text.length > 0 || toolCalls.length === 0 ? text : null,
    refusal: null,
  };
  if (toolCalls.length > 0) chatMessage.tool_calls = toolCalls;
  if (reasoning.length > 0) chatMessage.reasoning_content = reasoning;
  return { index, message: chatMessage, finish_reason: finishReason, logprobs: null };
}

/** Claude messages (one per choice: `n` parallel calls) → one OpenAI chat completion, usage summed. */
export function convertAnthropicResponse(
  messages: readonly Message[],
  context: ResponseContext,
): ChatCompletion {
  return {
    id: completionId(messages[0].id),
    object: 'chat.completion',
    created: context.created ?? Math.floor(Date.now() / 1000),
    model: context.model,
    choices: messages.map((message, index) => convertAnthropicChoice(message, index, context)),
    usage: sumUsage(messages.map((message) => mapAnthropicUsage(message.usage))),
  };
}

/** OpenAI-style id that still lets an operator find the upstream message. */
export function completionId(messageId: string): string {
  return `chatcmpl-${messageId}`;
}
