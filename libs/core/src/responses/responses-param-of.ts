import type { MessageOrigin } from './convert-responses-input';

const CHAT_MESSAGE_PARAM = /^messages\[(\d+)\](?:\.content\[(\d+)\])?(.*)$/;
const TOOL_CALL_PARAM = /^\.tool_calls\[(\d+)\](?:\.function)?(.*)$/;

/**
 * Rewrites a chat-path parameter from a downstream error (`messages[2].content[1].image_url.url`) into the
 * path the Responses client sent (`input[1].content[1].image_url`). Other parameters pass through.
 */
export function responsesParamOf(chatParam: string | null, origins: readonly MessageOrigin[]): string | null {
  if (chatParam === null) return null;
  const match = CHAT_MESSAGE_PARAM.exec(chatParam);
  if (!match)
    return chatParam === 'max_completion_tokens' || chatParam === 'max_tokens'
      ? 'max_output_tokens'
      : chatParam;
  const origin = origins[Number(match[1])];
  if (!origin) return chatParam;
  if (match[2] === undefined) {
    // A chat tool call came from a `function_call` item, where `id` is called `call_id`.
    const toolCall = TOOL_CALL_PARAM.exec(match[3]);
    const toolCallParam = toolCall ? origin.toolCallParams?.[Number(toolCall[1])] : undefined;
    if (toolCall && toolCallParam)
      return `${toolCallParam}${toolCall[2] === '.id' ? '.call_id' : toolCall[2]}`;
    if (match[3] === '.content' && origin.contentField) return `${origin.param}.${origin.contentField}`;
    return origin.param;
  }
  const contentParam = origin.contentParams?.[Number(match[2])];
  if (!contentParam) return origin.param;
  // Chat nests the image URL (`image_url.url`, `image_url.detail`); Responses keeps both flat on the part.
  const rest = match[3]
    .replace(/^\.image_url\.url$/, '.image_url')
    .replace(/^\.image_url\.detail$/, '.detail');
  return `${contentParam}${rest}`;
}
