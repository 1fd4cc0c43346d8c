import type { ChatCompletion } from '../openai-types';
import type {
  Response,
  ResponseFunctionToolCall,
  ResponseOutputItem,
  ResponseOutputMessage,
  ResponseReasoningItem,
} from './responses-types';
import { convertUsage } from './convert-usage';
import { mapFinishReason } from './map-finish-reason';
import type { ResponseIdSource } from './response-ids';

/** Some chat backends (and Iris adapters for thinking models) add the reasoning text beside `content`. */
export type MessageWithReasoning = ChatCompletion.Choice['message'] & { reasoning_content?: string | null };

/**
 * A chat completion → the Response object: reasoning item, message item, then function_call items, in the
 * order a Responses model emits them.
 * @see https://platform.openai.com/docs/api-reference/responses/object
 */
export function convertChatCompletion(
  completion: ChatCompletion,
  skeleton: Response,
  ids: ResponseIdSource,
  completedAt: number,
): Response {
  const choice = completion.choices[0];
  const outcome = mapFinishReason(choice?.finish_reason);
  const itemStatus = outcome.status === 'completed' ? 'completed' : 'incomplete';
  const output: ResponseOutputItem[] = [];
  const message = choice?.message as MessageWithReasoning | undefined;

  if (message?.reasoning_content)
    output.push(
      reasoningItem(ids.next('rs'), message.reasoning_content, itemStatus, reasoningAsSummary(skeleton)),
    );
  const content: ResponseOutputMessage['content'] = [];
  if (message?.content)
    content.push({ type: 'output_text', text: message.content, annotations: [], logprobs: [] });
  if (message?.refusal) content.push({ type: 'refusal', refusal: message.refusal });
  if (content.length > 0) {
    output.push({ id: ids.next('msg'), type: 'message', role: 'assistant', status: itemStatus, content });
  }
  for (const toolCall of message?.tool_calls ?? []) {
    if (toolCall.type !== 'function') continue; // chat custom tools are never requested by the bridge
    const call: ResponseFunctionToolCall = {
      id: ids.next('fc'),
      type: 'function_call',
      call_id: toolCall.id,
      name: toolCall.function.name,
      arguments: toolCall.function.arguments,
      status: itemStatus,
    };
    output.push(call);
  }

  return {
    ...skeleton,
    status: outcome.status,
    incomplete_details: outcome.incompleteDetails,
    completed_at: outcome.status === 'completed' ? completedAt : null,
    output,
    output_text: outputTextOf(output),
    ...(completion.usage && { usage: convertUsage(completion.usage) }),
  };
}

/**
 * The reasoning text as `reasoning_text` content, or, when the client asked for `reasoning.summary`, as the
 * summary: chat backends give one reasoning text (Gemini's thoughts and Claude 4's thinking are summaries
 * already), so it fills whichever field the client reads.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-output-reasoning
 */
export function reasoningItem(
  id: string,
  text: string,
  status: ResponseReasoningItem['status'],
  asSummary: boolean,
): ResponseReasoningItem {
  if (asSummary) return { id, type: 'reasoning', summary: [{ type: 'summary_text', text }], status };
  return { id, type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text }], status };
}

/** Whether the client asked for reasoning summaries (echoed on the skeleton as `reasoning.summary`). */
export function reasoningAsSummary(skeleton: Response): boolean {
  return Boolean(skeleton.reasoning?.summary);
}

/** The SDK's `output_text` convenience: every output_text part of every message, joined. */
export function outputTextOf(output: readonly ResponseOutputItem[]): string {
  let text = '';
  for (const item of output) {
    if (item.type !== 'message') continue;
    for (const part of item.content) if (part.type === 'output_text') text += part.text;
  }
  return text;
}
