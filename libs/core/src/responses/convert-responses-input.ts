import type {
  ChatCompletionAssistantMessageParam,
  ChatCompletionContentPart,
  ChatCompletionContentPartText,
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
} from '../openai-types';
import { GatewayError } from '../gateway-error';
import {
  isSet,
  notSupported,
  optionalString,
  requireArray,
  requireObject,
  requireOneOf,
  requireString,
  type JsonObject,
} from './request-fields';

/** Where a chat message came from in the Responses request, so chat-path errors can name the client's path. */
export interface MessageOrigin {
  /** `input[3]` or `instructions`. */
  param: string;
  /** Per chat content index, the Responses content path (`input[3].content[1]`). */
  contentParams?: string[];
  /** The item's field that became the chat `content` (`content`, or `output` of a function call output). */
  contentField?: 'content' | 'output';
  /** Per chat tool call index, the `function_call` item it came from (`input[4]`). */
  toolCallParams?: string[];
}

export interface ConvertedInput {
  messages: ChatCompletionMessageParam[];
  origins: MessageOrigin[];
  droppedParameters: string[];
}

type ImageDetail = 'auto' | 'low' | 'high';

/**
 * Responses `input` (a string or a list of items) → chat messages.
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-input
 * @see https://developers.openai.com/api/docs/guides/migrate-to-responses
 */
export function convertResponsesInput(input: unknown): ConvertedInput {
  if (typeof input === 'string') {
    return {
      messages: [{ role: 'user', content: input }],
      origins: [{ param: 'input' }],
      droppedParameters: [],
    };
  }
  const items = requireArray(input, 'input');
  const converted: ConvertedInput = { messages: [], origins: [], droppedParameters: [] };
  items.forEach((item, index) =>
    convertItem(requireObject(item, `input[${index}]`), `input[${index}]`, converted),
  );
  if (converted.messages.length === 0) throw GatewayError.invalidRequest("'input' has no messages.", 'input');
  return converted;
}

function convertItem(item: JsonObject, param: string, out: ConvertedInput): void {
  // EasyInputMessage may omit `type`: a `role` makes it a message.
  const type = item.type ?? (item.role !== undefined ? 'message' : undefined);
  switch (type) {
    case 'message':
      return convertMessage(item, param, out);
    case 'function_call':
      return convertFunctionCall(item, param, out);
    case 'function_call_output':
      return convertFunctionCallOutput(item, param, out);
    case 'reasoning':
      // Chat has no field for earlier reasoning; replayed reasoning items are dropped (documented policy).
      if (!out.droppedParameters.includes('input.reasoning')) out.droppedParameters.push('input.reasoning');
      return;
    case 'item_reference':
      throw notSupported(
        `${param}.type`,
        'item references need stored responses, and this gateway stores nothing.',
      );
    case undefined:
      throw GatewayError.invalidRequest(`'${param}' needs a 'type' or a 'role'.`, param);
    default:
      throw notSupported(
        `${param}.type`,
        `input items of type '${String(type)}' (built-in tools) are not implemented.`,
      );
  }
}

function convertMessage(item: JsonObject, param: string, out: ConvertedInput): void {
  const role = requireOneOf(
    item.role,
    ['user', 'assistant', 'system', 'developer'] as const,
    `${param}.role`,
  );
  // `phase` is a hint for some OpenAI models with no chat equivalent (documented drop).
  if (isSet(item.phase) && !out.droppedParameters.includes('input.phase'))
    out.droppedParameters.push('input.phase');
  const content = item.content;
  if (typeof content === 'string') {
    out.messages.push({ role, content });
    out.origins.push({ param, contentField: 'content' });
    return;
  }
  const parts = requireArray(content, `${param}.content`).map((part, index) =>
    requireObject(part, `${param}.content[${index}]`),
  );
  const contentParams = parts.map((_, index) => `${param}.content[${index}]`);
  if (role === 'assistant') return pushAssistantContent(parts, contentParams, param, out);
  if (role === 'user') {
    out.messages.push({ role, content: parts.map((part, index) => userPart(part, contentParams[index])) });
  } else {
    out.messages.push({
      role,
      content: parts.map((part, index) => textPart(part, contentParams[index], ['input_text'])),
    });
  }
  out.origins.push({ param, contentParams, contentField: 'content' });
}

/** @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-input-input_item_list-input_message-content */
function userPart(part: JsonObject, param: string): ChatCompletionContentPart {
  switch (part.type) {
    case 'input_text':
      return textPart(part, param, ['input_text']);
    case 'input_image':
      return imagePart(part, param);
    case 'input_file':
      return filePart(part, param);
    default:
      throw GatewayError.invalidRequest(
        `'${param}.type' must be one of: input_text, input_image, input_file.`,
        `${param}.type`,
      );
  }
}

function textPart(
  part: JsonObject,
  param: string,
  allowed: readonly string[],
): ChatCompletionContentPartText {
  if (!allowed.includes(String(part.type))) {
    throw GatewayError.invalidRequest(
      `'${param}.type' must be one of: ${allowed.join(', ')}.`,
      `${param}.type`,
    );
  }
  return { type: 'text', text: requireString(part.text, `${param}.text`) };
}

function imagePart(part: JsonObject, param: string): ChatCompletionContentPart {
  if (isSet(part.file_id))
    throw notSupported(`${param}.file_id`, 'images by file_id need the Files API; send image_url.');
  const url = requireString(part.image_url, `${param}.image_url`);
  if (url.length === 0)
    throw GatewayError.invalidRequest(`'${param}.image_url' is empty.`, `${param}.image_url`);
  const detail = imageDetail(part.detail, `${param}.detail`);
  return { type: 'image_url', image_url: detail ? { url, detail } : { url } };
}

/** Responses adds `original`; chat's closest level is `high` (full resolution). */
function imageDetail(value: unknown, param: string): ImageDetail | undefined {
  if (!isSet(value)) return undefined;
  const detail = requireOneOf(value, ['auto', 'low', 'high', 'original'] as const, param);
  return detail === 'original' ? 'high' : detail;
}

/** Inline files map onto chat's `file` part; files by id or URL need storage or fetching Iris does not do. */
function filePart(part: JsonObject, param: string): ChatCompletionContentPart {
  if (isSet(part.file_id))
    throw notSupported(`${param}.file_id`, 'files by file_id need the Files API; send file_data.');
  if (isSet(part.file_url))
    throw notSupported(`${param}.file_url`, 'files by URL are not fetched; send file_data.');
  const fileData = requireString(part.file_data, `${param}.file_data`);
  const filename = optionalString(part.filename, `${param}.filename`);
  return { type: 'file', file: filename ? { file_data: fileData, filename } : { file_data: fileData } };
}

/** Earlier assistant turns: `output_text` (or `input_text`) parts and `refusal` parts. */
function pushAssistantContent(
  parts: JsonObject[],
  contentParams: string[],
  param: string,
  out: ConvertedInput,
): void {
  const texts: ChatCompletionContentPartText[] = [];
  const refusals: string[] = [];
  parts.forEach((part, index) => {
    if (part.type === 'refusal')
      refusals.push(requireString(part.refusal, `${contentParams[index]}.refusal`));
    else texts.push(textPart(part, contentParams[index], ['output_text', 'input_text']));
  });
  const message: ChatCompletionAssistantMessageParam = {
    role: 'assistant',
    content: texts.length > 0 ? texts : null,
  };
  if (refusals.length > 0) message.refusal = refusals.join('');
  out.messages.push(message);
  out.origins.push({
    param,
    contentParams: contentParams.filter((_, index) => parts[index].type !== 'refusal'),
    contentField: 'content',
  });
}

/** A function call joins the assistant message right before it (Responses splits one chat turn into items). */
function convertFunctionCall(item: JsonObject, param: string, out: ConvertedInput): void {
  const toolCall: ChatCompletionMessageToolCall = {
    id: requireString(item.call_id, `${param}.call_id`),
    type: 'function',
    function: {
      name: requireString(item.name, `${param}.name`),
      arguments: requireString(item.arguments, `${param}.arguments`),
    },
  };
  if (isSet(item.namespace))
    throw notSupported(`${param}.namespace`, 'namespaced tools are not implemented.');
  const previous = out.messages[out.messages.length - 1];
  if (previous?.role === 'assistant') {
    previous.tool_calls = [...(previous.tool_calls ?? []), toolCall];
    const origin = out.origins[out.origins.length - 1];
    origin.toolCallParams = [...(origin.toolCallParams ?? []), param];
    return;
  }
  out.messages.push({ role: 'assistant', content: null, tool_calls: [toolCall] });
  out.origins.push({ param, toolCallParams: [param] });
}

/**
 * Tool results may carry images (a screenshot tool): the gateway's chat path accepts `image_url` parts in
 * tool messages (Claude and Gemini take them), beyond the OpenAI chat type, hence the cast.
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-input-input_item_list-item-function_tool_call_output
 */
function convertFunctionCallOutput(item: JsonObject, param: string, out: ConvertedInput): void {
  const toolCallId = requireString(item.call_id, `${param}.call_id`);
  const output = item.output;
  if (typeof output === 'string') {
    out.messages.push({ role: 'tool', tool_call_id: toolCallId, content: output });
    out.origins.push({ param, contentField: 'output' });
    return;
  }
  const contentParams: string[] = [];
  const content = requireArray(output, `${param}.output`).map((part, index) => {
    const partParam = `${param}.output[${index}]`;
    contentParams.push(partParam);
    const object = requireObject(part, partParam);
    if (object.type === 'input_image') return imagePart(object, partParam);
    if (object.type !== 'input_text') {
      throw notSupported(
        `${partParam}.type`,
        'function call outputs may contain input_text and input_image parts.',
      );
    }
    return textPart(object, partParam, ['input_text']);
  });
  out.messages.push({
    role: 'tool',
    tool_call_id: toolCallId,
    content: content as ChatCompletionContentPartText[],
  });
  out.origins.push({ param, contentParams, contentField: 'output' });
}
