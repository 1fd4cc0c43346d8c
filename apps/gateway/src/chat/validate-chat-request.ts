import { GatewayError, type ChatRequest } from '@app/core';
import { joinPath, validateWith } from '../http/validate-with';
import {
  AssistantToolCallDto,
  ChatRequestDto,
  ContentPartDto,
  FunctionDefinitionDto,
  ImageUrlDto,
  JsonSchemaFormatDto,
  MessageDto,
  RefusalPartDto,
  ResponseFormatDto,
  StreamOptionsDto,
  TextPartDto,
  ToolCallFunctionDto,
  ToolDto,
  ToolMessageDto,
} from './chat-request.dto';

/** Part types each role may send. Tool results may carry images too (Claude and Gemini take them). */
const PART_TYPES_BY_ROLE: Record<string, readonly string[]> = {
  system: ['text'],
  developer: ['text'],
  user: ['text', 'image_url', 'input_audio', 'file'],
  assistant: ['text', 'refusal'],
  tool: ['text', 'image_url'],
};

export interface ValidatedChatRequest {
  request: ChatRequest;
  stream: boolean;
  includeUsage: boolean;
}

/**
 * Validates a chat completion body in place and returns it typed. Nothing is copied and nothing unknown is
 * stripped; the only change is the `"image_url": "<url>"` shorthand some clients send, normalised to `{url}`.
 * Every failure is a 400 with the offending path in `param`, before anything reaches an upstream.
 */
export function validateChatRequest(body: unknown): ValidatedChatRequest {
  const top = validateWith(ChatRequestDto, body, '');
  if (top.stream_options != null) {
    if (top.stream !== true) {
      throw GatewayError.invalidRequest(
        "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
        'stream_options',
      );
    }
    validateWith(StreamOptionsDto, top.stream_options, 'stream_options');
  }
  if (top.response_format !== undefined) {
    const format = validateWith(ResponseFormatDto, top.response_format, 'response_format');
    if (format.type === 'json_schema') {
      if (format.json_schema === undefined) {
        throw GatewayError.invalidRequest(
          "Missing required parameter: 'response_format.json_schema'.",
          'response_format.json_schema',
        );
      }
      validateWith(JsonSchemaFormatDto, format.json_schema, 'response_format.json_schema');
    }
  }
  if (top.metadata) {
    const entries = Object.entries(top.metadata);
    if (entries.length > 16) throw GatewayError.invalidRequest('metadata has at most 16 keys.', 'metadata');
    for (const [key, value] of entries) {
      if (typeof value !== 'string')
        throw GatewayError.invalidRequest('metadata values must be strings.', `metadata.${key}`);
    }
  }
  top.tools?.forEach((tool, index) => {
    const path = joinPath('tools', index);
    const validTool = validateWith(ToolDto, tool, path);
    validateWith(FunctionDefinitionDto, validTool.function, `${path}.function`);
  });
  top.messages.forEach((message, index) => validateMessage(message, joinPath('messages', index)));
  return {
    request: body as ChatRequest,
    stream: top.stream === true,
    includeUsage: top.stream === true && top.stream_options?.include_usage === true,
  };
}

function validateMessage(message: unknown, path: string): void {
  const { role } = validateWith(MessageDto, message, path);
  const record = message as Record<string, unknown>;
  const content = record.content;
  if (role === 'tool') validateWith(ToolMessageDto, message, path);
  if (role === 'assistant') {
    const toolCalls = record.tool_calls;
    if (toolCalls !== undefined && toolCalls !== null) {
      if (!Array.isArray(toolCalls))
        throw GatewayError.invalidRequest('tool_calls must be an array.', `${path}.tool_calls`);
      toolCalls.forEach((call, index) => {
        const callPath = joinPath(`${path}.tool_calls`, index);
        const valid = validateWith(AssistantToolCallDto, call, callPath);
        validateWith(ToolCallFunctionDto, valid.function, `${callPath}.function`);
      });
    }
    const hasToolCalls = Array.isArray(toolCalls) && toolCalls.length > 0;
    if (
      (content === undefined || content === null) &&
      !hasToolCalls &&
      record.function_call == null &&
      record.audio == null
    ) {
      throw GatewayError.invalidRequest(
        `Invalid '${path}.content': an assistant message needs content or tool_calls.`,
        `${path}.content`,
      );
    }
    if (content === undefined || content === null) return;
  } else if (content === undefined || content === null) {
    throw GatewayError.invalidRequest(`Missing required parameter: '${path}.content'.`, `${path}.content`);
  }
  if (typeof content === 'string') return;
  if (!Array.isArray(content)) {
    throw GatewayError.invalidRequest(
      `Invalid '${path}.content': expected a string or an array of content parts.`,
      `${path}.content`,
    );
  }
  if (content.length === 0 && role === 'user') {
    throw GatewayError.invalidRequest(
      `Invalid '${path}.content': expected at least one content part.`,
      `${path}.content`,
    );
  }
  const allowed = PART_TYPES_BY_ROLE[role];
  content.forEach((part, index) => validatePart(part, joinPath(`${path}.content`, index), allowed, role));
}

function validatePart(part: unknown, path: string, allowed: readonly string[], role: string): void {
  const { type } = validateWith(ContentPartDto, part, path);
  if (!allowed.includes(type)) {
    throw GatewayError.invalidRequest(
      `Invalid '${path}.type': a ${role} message takes ${allowed.join(', ')} parts, not '${type}'.`,
      `${path}.type`,
    );
  }
  const record = part as Record<string, unknown>;
  if (type === 'text') validateWith(TextPartDto, part, path);
  else if (type === 'refusal') validateWith(RefusalPartDto, part, path);
  else if (type === 'image_url') {
    // Some clients send `"image_url": "<url>"`; normalise it to the object form once, here.
    if (typeof record.image_url === 'string') record.image_url = { url: record.image_url };
    if (record.image_url === undefined) {
      throw GatewayError.invalidRequest(
        `Missing required parameter: '${path}.image_url'.`,
        `${path}.image_url`,
      );
    }
    validateWith(ImageUrlDto, record.image_url, `${path}.image_url`);
  }
}
