import type {
  ContentBlockParam,
  ImageBlockParam,
  TextBlockParam,
  ToolResultBlockParam,
  ToolUseBlockParam,
} from '@anthropic-ai/sdk/resources/messages';
import {
  base64JsonText,
  GatewayError,
  imageOfPart,
  type ChatCompletionContentPartImage,
  type ChatCompletionMessageParam,
} from '@app/core';

export interface AnthropicTurn {
  role: 'user' | 'assistant';
  content: ContentBlockParam[];
}

export interface AnthropicPrompt {
  /** Every system and developer message, in order (Claude takes no `system` role message). */
  system: TextBlockParam[];
  /** Alternating user/assistant turns, starting with user. */
  messages: AnthropicTurn[];
  /** Per-message fields Claude has no equivalent for (`name`), for `x-iris-dropped-params`. */
  droppedParameters: string[];
}

/** A loosely typed content part: OpenAI's unions differ per role; the converter checks `type` itself. */
type AnyPart = { type: string; text?: string; refusal?: string; image_url?: unknown };

/**
 * OpenAI messages → Claude `system` + alternating turns. Consecutive same-role turns merge; tool messages
 * become `tool_result` blocks at the front of the user turn that follows the assistant's `tool_use` turn,
 * in order; empty and whitespace-only text is never sent (Claude rejects it).
 * @see https://docs.anthropic.com/en/api/messages
 * @see https://docs.anthropic.com/en/docs/build-with-claude/tool-use/implement-tool-use#handling-tool-use-and-tool-result-content-blocks
 */
export function convertToAnthropicMessages(messages: readonly ChatCompletionMessageParam[]): AnthropicPrompt {
  const system: TextBlockParam[] = [];
  const turns: AnthropicTurn[] = [];
  const dropped = new Set<string>();
  /** tool_use ids of the latest assistant turn still waiting for a tool message, with where they came from. */
  let openToolCalls = new Map<string, string>();

  const requireToolResults = () => {
    const [id, param] = openToolCalls.entries().next().value ?? [];
    if (id !== undefined) {
      throw GatewayError.invalidRequest(
        `Tool call '${id}' has no tool message answering it.`,
        param ?? 'messages',
      );
    }
  };
  const append = (role: AnthropicTurn['role'], blocks: ContentBlockParam[]) => {
    if (blocks.length === 0) return;
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };

  messages.forEach((message, index) => {
    const param = `messages[${index}]`;
    if ('name' in message && message.name !== undefined) dropped.add('messages[].name');
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...textBlocks(message.content as string | AnyPart[], `${param}.content`));
        return;
      case 'user': {
        const blocks = userBlocks(message.content as string | AnyPart[], `${param}.content`);
        if (blocks.length > 0) requireToolResults();
        append('user', blocks);
        return;
      }
      case 'assistant': {
        if (message.function_call) {
          throw GatewayError.invalidRequest(
            'Legacy `function_call` messages are not supported; use `tool_calls`.',
            `${param}.function_call`,
          );
        }
        const blocks: ContentBlockParam[] =
          message.content == null
            ? []
            : textBlocks(message.content as string | AnyPart[], `${param}.content`);
        const toolCalls = message.tool_calls ?? [];
        if (blocks.length === 0 && toolCalls.length === 0) return;
        requireToolResults();
        const calls = new Map<string, string>();
        toolCalls.forEach((call, callIndex) => {
          const callParam = `${param}.tool_calls[${callIndex}]`;
          if (call.type !== 'function') {
            throw GatewayError.invalidRequest(
              `Tool call type '${call.type}' is not supported by Claude.`,
              `${callParam}.type`,
            );
          }
          const use: ToolUseBlockParam = {
            type: 'tool_use',
            id: call.id,
            name: call.function.name,
            input: parseArguments(call.function.arguments, `${callParam}.function.arguments`),
          };
          blocks.push(use);
          calls.set(call.id, callParam);
        });
        append('assistant', blocks);
        openToolCalls = calls;
        return;
      }
      case 'tool': {
        if (!openToolCalls.has(message.tool_call_id)) {
          throw GatewayError.invalidRequest(
            `Tool message answers '${message.tool_call_id}', which is not a tool call of the preceding assistant message.`,
            `${param}.tool_call_id`,
          );
        }
        openToolCalls.delete(message.tool_call_id);
        const result: ToolResultBlockParam = { type: 'tool_result', tool_use_id: message.tool_call_id };
        const content = toolResultContent(message.content as string | AnyPart[], `${param}.content`);
        if (content !== undefined) result.content = content;
        const last = turns.at(-1);
        if (last?.role === 'user') {
          // tool_result blocks must lead the user turn.
          const leading = last.content.findIndex((block) => block.type !== 'tool_result');
          last.content.splice(leading < 0 ? last.content.length : leading, 0, result);
        } else {
          turns.push({ role: 'user', content: [result] });
        }
        return;
      }
      case 'function':
        throw GatewayError.invalidRequest(
          'Legacy `function` role messages are not supported; use `tool` messages.',
          `${param}.role`,
        );
      default: {
        const unknown: never = message;
        throw GatewayError.invalidRequest(
          `Unknown message role '${(unknown as { role: string }).role}'.`,
          `${param}.role`,
        );
      }
    }
  });
  requireToolResults();

  if (turns.length === 0)
    throw GatewayError.invalidRequest('Claude needs at least one user or assistant message.', 'messages');
  if (turns[0].role !== 'user') {
    throw GatewayError.invalidRequest(
      'Claude needs the conversation to start with a user message (after system messages).',
      'messages',
    );
  }
  trimFinalAssistantText(turns);
  return { system, messages: turns, droppedParameters: [...dropped] };
}

function textBlocks(content: string | AnyPart[], param: string): TextBlockParam[] {
  if (typeof content === 'string') return isBlank(content) ? [] : [{ type: 'text', text: content }];
  const blocks: TextBlockParam[] = [];
  content.forEach((part, index) => {
    const text = part.type === 'text' ? part.text : part.type === 'refusal' ? part.refusal : undefined;
    if (text === undefined) {
      throw GatewayError.invalidRequest(
        `Content part type '${part.type}' is not allowed here.`,
        `${param}[${index}].type`,
      );
    }
    if (!isBlank(text)) blocks.push({ type: 'text', text });
  });
  return blocks;
}

function userBlocks(content: string | AnyPart[], param: string): Array<TextBlockParam | ImageBlockParam> {
  if (typeof content === 'string') return textBlocks(content, param);
  const blocks: Array<TextBlockParam | ImageBlockParam> = [];
  content.forEach((part, index) => {
    const partParam = `${param}[${index}]`;
    switch (part.type) {
      case 'text':
        if (!isBlank(part.text ?? '')) blocks.push({ type: 'text', text: part.text ?? '' });
        return;
      case 'image_url':
        blocks.push(
          imageBlock(part as unknown as ChatCompletionContentPartImage, `${partParam}.image_url.url`),
        );
        return;
      default:
        throw GatewayError.invalidRequest(
          `Content part type '${part.type}' is not supported by Claude.`,
          `${partParam}.type`,
        );
    }
  });
  return blocks;
}

function toolResultContent(content: string | AnyPart[], param: string): ToolResultBlockParam['content'] {
  if (typeof content === 'string') return isBlank(content) ? undefined : content;
  const blocks = userBlocks(content, param);
  return blocks.length === 0 ? undefined : blocks;
}

/** `detail` is not sent: Claude has no such field. */
export function imageBlock(part: ChatCompletionContentPartImage, param: string): ImageBlockParam {
  const image = imageOfPart(part, param);
  return image.source === 'base64'
    ? {
        type: 'image',
        source: { type: 'base64', media_type: image.mediaType, data: base64JsonText(image.data) },
      }
    : { type: 'image', source: { type: 'url', url: image.url } };
}

/** `""` means no arguments; anything unparsable or not an object is the client's error. */
function parseArguments(text: string, param: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw GatewayError.invalidRequest('Tool call arguments are not valid JSON.', param);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw GatewayError.invalidRequest('Tool call arguments must be a JSON object.', param);
  }
  return value as Record<string, unknown>;
}

/** Claude rejects a final (prefilled) assistant turn that ends with whitespace. */
function trimFinalAssistantText(turns: AnthropicTurn[]): void {
  const last = turns.at(-1);
  const block = last?.role === 'assistant' ? last.content.at(-1) : undefined;
  if (block?.type === 'text') block.text = block.text.trimEnd();
}

function isBlank(text: string): boolean {
  return text.trim().length === 0;
}
