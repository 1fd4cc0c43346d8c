import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import {
  startFakeServer,
  writeJson,
  writeSse,
  type FakeServer,
  type RecordedRequest,
} from '../support/fake-server';

/**
 * A fake Anthropic Messages API on 127.0.0.1: `POST /v1/messages` (JSON, or SSE with the event names of the
 * recorded streams in ../shared/vendor-specs/fixtures/anthropic-*.sse) and `GET /v1/models`. With
 * `validate` (default on) it rejects what the real API rejects, with the real error body
 * `{"type":"error","error":{"type","message"}}` and a `request-id` header, so a test fails when the gateway
 * sends something Claude would refuse.
 * @see https://docs.anthropic.com/en/api/messages
 * @see https://docs.anthropic.com/en/api/errors
 */
export interface AnthropicFakeOptions {
  /** Required `x-api-key` value (default: any non-empty key). */
  apiKey?: string;
  validate?: boolean;
  /** What to answer; the default echoes how many messages and images it received. */
  reply?: (body: MessagesBody, request: RecordedRequest) => FakeReply | Promise<FakeReply>;
  /** Delay between streamed events. */
  eventDelayMs?: number;
}

export type FakeBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'thinking'; thinking: string; signature: string };

export type FakeReply =
  | {
      kind: 'message';
      content: FakeBlock[];
      stopReason?: string;
      usage?: { input_tokens: number; output_tokens: number };
    }
  | { kind: 'error'; status: number; type: string; message: string; headers?: Record<string, string> }
  /** A scripted SSE stream (200), e.g. to send an `error` event mid-stream. */
  | { kind: 'events'; events: Array<{ event: string; data: unknown }> };

export interface MessagesBody {
  model: string;
  messages: Array<{ role: string; content: string | Array<Record<string, unknown>> }>;
  max_tokens: number;
  stream?: boolean;
  system?: unknown;
  [key: string]: unknown;
}

const ALLOWED_FIELDS = new Set([
  'model',
  'messages',
  'max_tokens',
  'metadata',
  'stop_sequences',
  'stream',
  'system',
  'temperature',
  'top_p',
  'top_k',
  'tools',
  'tool_choice',
  'thinking',
  'output_config',
  'service_tier',
  'container',
  'inference_geo',
  'speed',
  'cache_control',
  'diagnostics',
]);
const MEDIA_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

export function anthropicError(
  response: ServerResponse,
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  writeJson(
    response,
    status,
    { type: 'error', error: { type, message } },
    { 'request-id': `req_${randomUUID()}`, ...headers },
  );
}

export async function startAnthropicFake(options: AnthropicFakeOptions = {}): Promise<FakeServer> {
  return startFakeServer((request, response) => handleAnthropic(request, response, options));
}

export async function handleAnthropic(
  request: RecordedRequest,
  response: ServerResponse,
  options: AnthropicFakeOptions,
): Promise<void> {
  const validate = options.validate !== false;
  if (validate) {
    const key = request.headers['x-api-key'];
    if (
      typeof key !== 'string' ||
      key.length === 0 ||
      (options.apiKey !== undefined && key !== options.apiKey)
    ) {
      return anthropicError(response, 401, 'authentication_error', 'invalid x-api-key');
    }
    if (typeof request.headers['anthropic-version'] !== 'string') {
      return anthropicError(response, 400, 'invalid_request_error', 'anthropic-version: header is required');
    }
  }
  const path = request.url.split('?')[0];
  if (request.method === 'GET' && path === '/v1/models') {
    return writeJson(response, 200, {
      data: [
        {
          type: 'model',
          id: 'claude-opus-4-8',
          display_name: 'Claude Opus 4.8',
          created_at: '2026-08-01T00:00:00Z',
        },
      ],
      has_more: false,
      first_id: 'claude-opus-4-8',
      last_id: 'claude-opus-4-8',
    });
  }
  if (request.method !== 'POST' || path !== '/v1/messages') {
    return anthropicError(response, 404, 'not_found_error', `Not found: ${request.method} ${path}`);
  }
  const body = request.json as MessagesBody | undefined;
  if (!body || typeof body !== 'object')
    return anthropicError(response, 400, 'invalid_request_error', 'Request body must be JSON.');
  if (validate) {
    const problem = validateMessagesBody(body);
    if (problem) return anthropicError(response, 400, 'invalid_request_error', problem);
  }
  const reply = options.reply ? await options.reply(body, request) : defaultReply(body);
  switch (reply.kind) {
    case 'error':
      return anthropicError(response, reply.status, reply.type, reply.message, reply.headers);
    case 'events':
      return writeSse(response, reply.events, {
        delayMs: options.eventDelayMs,
        headers: { 'request-id': `req_${randomUUID()}` },
      });
    case 'message': {
      const id = `msg_${randomUUID().replace(/-/g, '')}`;
      const usage = reply.usage ?? { input_tokens: 10, output_tokens: 5 };
      const stopReason =
        reply.stopReason ??
        (reply.content.some((block) => block.type === 'tool_use') ? 'tool_use' : 'end_turn');
      if (body.stream) {
        return writeSse(response, messageEvents(id, body.model, reply.content, stopReason, usage), {
          delayMs: options.eventDelayMs,
          headers: { 'request-id': `req_${randomUUID()}` },
        });
      }
      return writeJson(
        response,
        200,
        {
          id,
          type: 'message',
          role: 'assistant',
          model: body.model,
          content: reply.content,
          stop_reason: stopReason,
          stop_sequence: null,
          usage,
        },
        { 'request-id': `req_${randomUUID()}` },
      );
    }
  }
}

function defaultReply(body: MessagesBody): FakeReply {
  let images = 0;
  for (const message of body.messages) {
    if (Array.isArray(message.content))
      images += message.content.filter((block) => block.type === 'image').length;
  }
  return {
    kind: 'message',
    content: [
      { type: 'text', text: `Hello from ${body.model}: ${body.messages.length} messages, ${images} images.` },
    ],
  };
}

/** The event sequence of a real stream (see the recorded fixtures): start, blocks with deltas, delta, stop. */
export function messageEvents(
  id: string,
  model: string,
  content: FakeBlock[],
  stopReason: string,
  usage: { input_tokens: number; output_tokens: number },
): Array<{ event: string; data: unknown }> {
  const events: Array<{ event: string; data: unknown }> = [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: {
          id,
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: usage.input_tokens,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
            output_tokens: 1,
          },
        },
      },
    },
  ];
  content.forEach((block, index) => {
    const start =
      block.type === 'text'
        ? { type: 'text', text: '' }
        : block.type === 'thinking'
          ? { type: 'thinking', thinking: '', signature: '' }
          : { type: 'tool_use', id: block.id, name: block.name, input: {} };
    events.push({
      event: 'content_block_start',
      data: { type: 'content_block_start', index, content_block: start },
    });
    if (index === 0) events.push({ event: 'ping', data: { type: 'ping' } });
    const delta = (value: Record<string, unknown>) =>
      events.push({
        event: 'content_block_delta',
        data: { type: 'content_block_delta', index, delta: value },
      });
    if (block.type === 'text')
      for (const piece of pieces(block.text)) delta({ type: 'text_delta', text: piece });
    if (block.type === 'thinking') {
      for (const piece of pieces(block.thinking)) delta({ type: 'thinking_delta', thinking: piece });
      delta({ type: 'signature_delta', signature: block.signature });
    }
    if (block.type === 'tool_use') {
      delta({ type: 'input_json_delta', partial_json: '' });
      const json = JSON.stringify(block.input);
      if (json !== '{}')
        for (const piece of pieces(json)) delta({ type: 'input_json_delta', partial_json: piece });
    }
    events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
  });
  events.push({
    event: 'message_delta',
    data: {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    },
  });
  events.push({ event: 'message_stop', data: { type: 'message_stop' } });
  return events;
}

function pieces(text: string): string[] {
  const result: string[] = [];
  for (let start = 0; start < text.length; start += 7) result.push(text.slice(start, start + 7));
  return result;
}

/** What the real API refuses, with messages in its style; undefined when the body is acceptable. */
export function validateMessagesBody(body: MessagesBody): string | undefined {
  for (const key of Object.keys(body))
    if (!ALLOWED_FIELDS.has(key)) return `${key}: Extra inputs are not permitted`;
  if (typeof body.model !== 'string' || body.model.length === 0) return 'model: Field required';
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) return 'max_tokens: Field required';
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: Field required';
  for (const name of ['temperature', 'top_p'] as const) {
    const value = body[name];
    if (value !== undefined && (typeof value !== 'number' || value < 0 || value > 1))
      return `${name}: Input should be less than or equal to 1`;
  }
  const thinking = body.thinking as { type?: string; budget_tokens?: number } | undefined;
  if (thinking?.type === 'enabled') {
    if (!Number.isInteger(thinking.budget_tokens) || (thinking.budget_tokens ?? 0) < 1024)
      return 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024';
    if ((thinking.budget_tokens ?? 0) >= body.max_tokens)
      return '`max_tokens` must be greater than `thinking.budget_tokens`';
    if (body.temperature !== undefined && body.temperature !== 1)
      return '`temperature` may only be set to 1 when thinking is enabled';
    const choice = body.tool_choice as { type?: string } | undefined;
    if (choice?.type === 'any' || choice?.type === 'tool')
      return 'Thinking may not be enabled when tool_choice forces tool use.';
  }
  if (body.system !== undefined) {
    if (typeof body.system !== 'string' && !Array.isArray(body.system))
      return 'system: Input should be a valid string or list';
    if (Array.isArray(body.system)) {
      for (const [index, block] of (body.system as Array<Record<string, unknown>>).entries()) {
        const problem = textProblem(block, `system.${index}`);
        if (problem) return problem;
      }
    }
  }
  for (const [index, tool] of ((body.tools as Array<Record<string, unknown>> | undefined) ?? []).entries()) {
    if (typeof tool.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(tool.name))
      return `tools.${index}.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`;
    if ((tool.input_schema as { type?: string } | undefined)?.type !== 'object')
      return `tools.${index}.input_schema.type: Input should be 'object'`;
  }
  let previousToolUses = new Set<string>();
  for (const [index, message] of body.messages.entries()) {
    const at = `messages.${index}`;
    if (message.role !== 'user' && message.role !== 'assistant')
      return `${at}.role: Input should be 'user' or 'assistant'`;
    if (index === 0 && message.role !== 'user') return 'messages: first message must use the "user" role';
    if (index > 0 && body.messages[index - 1].role === message.role)
      return 'messages: roles must alternate between "user" and "assistant"';
    const blocks =
      typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    if (!Array.isArray(blocks) || blocks.length === 0)
      return `${at}: all messages must have non-empty content except for the optional final assistant message`;
    const toolUses = new Set<string>();
    const answered = new Set<string>();
    let seenNonResult = false;
    for (const [blockIndex, block] of blocks.entries()) {
      const blockAt = `${at}.content.${blockIndex}`;
      switch (block.type) {
        case 'text': {
          const problem = textProblem(block, blockAt);
          if (problem) return problem;
          seenNonResult = true;
          break;
        }
        case 'image': {
          if (message.role !== 'user') return `${blockAt}: image blocks are only allowed in user messages`;
          const problem = imageProblem(block, blockAt);
          if (problem) return problem;
          seenNonResult = true;
          break;
        }
        case 'tool_use':
          if (message.role !== 'assistant')
            return `${blockAt}: tool_use blocks are only allowed in assistant messages`;
          if (
            typeof block.id !== 'string' ||
            typeof block.name !== 'string' ||
            typeof block.input !== 'object' ||
            block.input === null
          )
            return `${blockAt}: invalid tool_use block`;
          toolUses.add(block.id);
          break;
        case 'tool_result': {
          if (message.role !== 'user')
            return `${blockAt}: tool_result blocks are only allowed in user messages`;
          if (seenNonResult) return `${at}: tool_result blocks must come first in the user message content`;
          if (!previousToolUses.has(block.tool_use_id as string)) {
            return `${blockAt}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(block.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
          }
          answered.add(block.tool_use_id as string);
          const content = block.content;
          if (Array.isArray(content)) {
            for (const [innerIndex, inner] of (content as Array<Record<string, unknown>>).entries()) {
              const innerAt = `${blockAt}.content.${innerIndex}`;
              const problem =
                inner.type === 'image'
                  ? imageProblem(inner, innerAt)
                  : inner.type === 'text'
                    ? textProblem(inner, innerAt)
                    : `${innerAt}.type: unsupported block`;
              if (problem) return problem;
            }
          } else if (content !== undefined && (typeof content !== 'string' || content.length === 0)) {
            return `${blockAt}.content: Input should be a non-empty string or list`;
          }
          break;
        }
        default:
          return `${blockAt}.type: Input tag '${String(block.type)}' is not one of the expected tags`;
      }
    }
    if (message.role === 'user') {
      for (const id of previousToolUses) {
        if (!answered.has(id))
          return `${at}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${id}`;
      }
    }
    previousToolUses = message.role === 'assistant' ? toolUses : new Set();
  }
  return undefined;
}

function textProblem(block: Record<string, unknown>, at: string): string | undefined {
  if (block.type !== 'text') return `${at}.type: Input should be 'text'`;
  if (typeof block.text !== 'string' || block.text.length === 0)
    return `${at}: text content blocks must be non-empty`;
  if (block.text.trim().length === 0) return `${at}: text content blocks must contain non-whitespace text`;
  return undefined;
}

function imageProblem(block: Record<string, unknown>, at: string): string | undefined {
  const source = block.source as
    { type?: string; media_type?: string; data?: string; url?: string } | undefined;
  if (source?.type === 'url')
    return typeof source.url === 'string' && /^https?:\/\//.test(source.url)
      ? undefined
      : `${at}.source.url: invalid URL`;
  if (source?.type !== 'base64')
    return `${at}.source.type: Input tag '${String(source?.type)}' is not one of the expected tags`;
  if (!source.media_type || !MEDIA_TYPES.has(source.media_type))
    return `${at}.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
  const bytes = Buffer.from(source.data ?? '', 'base64');
  if (bytes.length === 0) return `${at}.source.base64.data: Image data is empty`;
  if (sniff(bytes) !== source.media_type)
    return `${at}.source.base64.data: The image was specified using the ${source.media_type} media type, but the image appears to be a ${sniff(bytes) ?? 'unknown'} image`;
  return undefined;
}

function sniff(bytes: Buffer): string | undefined {
  if (bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]))) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  if (
    bytes.subarray(0, 4).toString('latin1') === 'RIFF' &&
    bytes.subarray(8, 12).toString('latin1') === 'WEBP'
  )
    return 'image/webp';
  return undefined;
}
