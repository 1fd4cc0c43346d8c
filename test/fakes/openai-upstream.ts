import type { ServerResponse } from 'node:http';
import {
  startFakeServer,
  writeJson,
  writeSse,
  type FakeServer,
  type RecordedRequest,
} from '../support/fake-server';

/**
 * A fake OpenAI (or OpenAI-compatible) upstream speaking the exact wire format of
 * `POST /v1/chat/completions` (JSON, or SSE chunks ending with `data: [DONE]`) and `GET /v1/models`,
 * built from ../shared/vendor-specs/openai.schemas.json. With `validate`, it answers 400/401 the way
 * OpenAI does for a malformed request, so a test fails if the gateway sends one.
 */
export interface OpenAiFakeOptions {
  /** Required `Authorization: Bearer` value (default: any). */
  apiKey?: string;
  validate?: boolean;
  /** Text the assistant answers; the default echoes how many messages and images it received. */
  answer?: (request: ChatBody) => string;
  /** Delay between streamed chunks. */
  chunkDelayMs?: number;
}

export interface ChatBody {
  model: string;
  messages: Array<{ role: string; content: unknown }>;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  n?: number;
  [key: string]: unknown;
}

export function openAiError(
  response: ServerResponse,
  status: number,
  message: string,
  type: string,
  code: string | null,
  headers: Record<string, string> = {},
): void {
  writeJson(response, status, { error: { message, type, param: null, code } }, headers);
}

export function countImages(body: ChatBody): number {
  let images = 0;
  for (const message of body.messages) {
    if (Array.isArray(message.content))
      images += message.content.filter((part: { type?: string }) => part?.type === 'image_url').length;
  }
  return images;
}

export async function startOpenAiFake(options: OpenAiFakeOptions = {}): Promise<FakeServer> {
  return startFakeServer((request, response) => handleOpenAi(request, response, options));
}

export async function handleOpenAi(
  request: RecordedRequest,
  response: ServerResponse,
  options: OpenAiFakeOptions,
): Promise<void> {
  if (options.apiKey && request.headers.authorization !== `Bearer ${options.apiKey}`) {
    return openAiError(
      response,
      401,
      'Incorrect API key provided: sk-***.',
      'invalid_request_error',
      'invalid_api_key',
    );
  }
  if (request.method === 'GET' && request.url.endsWith('/models')) {
    return writeJson(response, 200, {
      object: 'list',
      data: [{ id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' }],
    });
  }
  if (request.method !== 'POST' || !request.url.endsWith('/chat/completions')) {
    return openAiError(response, 404, 'Unknown request URL', 'invalid_request_error', 'unknown_url');
  }
  const body = request.json as ChatBody | undefined;
  if (!body || typeof body.model !== 'string' || !Array.isArray(body.messages)) {
    return openAiError(
      response,
      400,
      "Missing required parameter: 'model' or 'messages'.",
      'invalid_request_error',
      null,
    );
  }
  if (options.validate !== false && 'ocr_model' in body) {
    return openAiError(
      response,
      400,
      'Unrecognized request argument supplied: ocr_model',
      'invalid_request_error',
      null,
    );
  }
  const text = options.answer
    ? options.answer(body)
    : `Hello from ${body.model}: ${body.messages.length} messages, ${countImages(body)} images.`;
  const n = body.n ?? 1;
  const id = 'chatcmpl-fake123';
  const created = 1700000000;
  const usage = {
    prompt_tokens: 11,
    completion_tokens: 7,
    total_tokens: 18,
    prompt_tokens_details: { cached_tokens: 0 },
  };
  if (!body.stream) {
    return writeJson(response, 200, {
      id,
      object: 'chat.completion',
      created,
      model: body.model,
      choices: Array.from({ length: n }, (_unused, index) => ({
        index,
        message: { role: 'assistant', content: text, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: 'stop',
      })),
      usage,
      service_tier: 'default',
      system_fingerprint: 'fp_fake',
    });
  }
  const words = text.split(/(?<= )/);
  const base = {
    id,
    object: 'chat.completion.chunk',
    created,
    model: body.model,
    system_fingerprint: 'fp_fake',
  };
  const withUsage = body.stream_options?.include_usage === true;
  const events: Array<{ data: unknown }> = [];
  for (let index = 0; index < n; index++) {
    events.push({
      data: {
        ...base,
        choices: [
          {
            index,
            delta: { role: 'assistant', content: '', refusal: null },
            logprobs: null,
            finish_reason: null,
          },
        ],
        ...(withUsage ? { usage: null } : {}),
      },
    });
    for (const word of words) {
      events.push({
        data: {
          ...base,
          choices: [{ index, delta: { content: word }, logprobs: null, finish_reason: null }],
          ...(withUsage ? { usage: null } : {}),
        },
      });
    }
    events.push({
      data: {
        ...base,
        choices: [{ index, delta: {}, logprobs: null, finish_reason: 'stop' }],
        ...(withUsage ? { usage: null } : {}),
      },
    });
  }
  if (withUsage) events.push({ data: { ...base, choices: [], usage } });
  events.push({ data: '[DONE]' });
  await writeSse(response, events, { delayMs: options.chunkDelayMs });
}
