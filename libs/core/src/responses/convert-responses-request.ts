import type { ChatCompletionMessageParam } from '../openai-types';
import type { ChatRequest } from '../provider-adapter';
import type { Response } from './responses-types';
import { GatewayError } from '../gateway-error';
import { convertResponsesInput, type MessageOrigin } from './convert-responses-input';
import { convertResponsesText } from './convert-responses-text';
import { convertResponsesToolChoice, convertResponsesTools } from './convert-responses-tools';
import {
  isSet,
  notSupported,
  optionalBoolean,
  optionalNumber,
  optionalString,
  rejectUnknownFields,
  requireObject,
  requireOneOf,
  requireString,
  type JsonObject,
} from './request-fields';

/** The request fields the Response object echoes back (the schema requires most of them). */
export type ResponseEcho = Pick<
  Response,
  | 'instructions'
  | 'max_output_tokens'
  | 'metadata'
  | 'parallel_tool_calls'
  | 'temperature'
  | 'top_p'
  | 'tool_choice'
  | 'tools'
  | 'text'
  | 'reasoning'
  | 'truncation'
  | 'background'
  | 'previous_response_id'
  | 'top_logprobs'
  | 'user'
  | 'safety_identifier'
  | 'prompt_cache_key'
  | 'service_tier'
>;

export interface ConvertedResponsesRequest {
  /** The chat request; `model` is the name the client sent (the chat pipeline routes it). */
  chatRequest: ChatRequest;
  stream: boolean;
  /** Documented drops, for `x-iris-dropped-params`. */
  droppedParameters: string[];
  echo: ResponseEcho;
  /** Per chat message, its Responses origin (see `responsesParamOf`). */
  origins: MessageOrigin[];
}

const KNOWN_PARAMETERS = new Set([
  'model',
  'input',
  'instructions',
  'max_output_tokens',
  'temperature',
  'top_p',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'text',
  'reasoning',
  'metadata',
  'user',
  'stream',
  'stream_options',
  'store',
  'previous_response_id',
  'background',
  'conversation',
  'include',
  'prompt',
  'prompt_cache_key',
  'prompt_cache_retention',
  'safety_identifier',
  'service_tier',
  'top_logprobs',
  'truncation',
  'context_management',
  'max_tool_calls',
  'ocr_model',
]);

/** `include` values that only add output Iris never produces (built-in tool results, encrypted reasoning). */
const INCLUDE_WITHOUT_EFFECT = new Set([
  'reasoning.encrypted_content',
  'message.input_image.image_url',
  'file_search_call.results',
  'web_search_call.results',
  'web_search_call.action.sources',
  'computer_call_output.output.image_url',
  'code_interpreter_call.outputs',
]);

const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] as const;
const SERVICE_TIERS = ['auto', 'default', 'flex', 'scale', 'priority'] as const;

/**
 * A `POST /v1/responses` body → the chat request the chat pipeline runs, plus what the Response echoes.
 * Each parameter is mapped, rejected with a 400 naming it, or dropped by documented policy (reported).
 * @see https://platform.openai.com/docs/api-reference/responses/create
 */
export function convertResponsesRequest(body: unknown): ConvertedResponsesRequest {
  const params = requireObject(body, 'body');
  rejectUnknownFields(params, KNOWN_PARAMETERS, '');
  rejectStatefulFeatures(params);
  const dropped: string[] = [];

  const model = requireString(params.model, 'model');
  if (model.length === 0) throw GatewayError.invalidRequest("'model' is empty.", 'model');
  if (params.input === undefined) throw GatewayError.invalidRequest("'input' is required.", 'input');
  const input = convertResponsesInput(params.input);
  dropped.push(...input.droppedParameters);

  const instructions = optionalString(params.instructions, 'instructions');
  const messages: ChatCompletionMessageParam[] = instructions
    ? [{ role: 'system', content: instructions }, ...input.messages]
    : input.messages;
  const origins: MessageOrigin[] = instructions
    ? [{ param: 'instructions' }, ...input.origins]
    : input.origins;

  const chatRequest: ChatRequest = { model, messages };
  const maxOutputTokens = optionalNumber(params.max_output_tokens, 'max_output_tokens', {
    min: 1,
    integer: true,
  });
  if (maxOutputTokens !== undefined) chatRequest.max_completion_tokens = maxOutputTokens;
  const temperature = optionalNumber(params.temperature, 'temperature', { min: 0, max: 2 });
  if (temperature !== undefined) chatRequest.temperature = temperature;
  const topP = optionalNumber(params.top_p, 'top_p', { min: 0, max: 1 });
  if (topP !== undefined) chatRequest.top_p = topP;

  const tools = isSet(params.tools) ? convertResponsesTools(params.tools) : { chatTools: [], echo: [] };
  if (tools.chatTools.length > 0) chatRequest.tools = tools.chatTools;
  const toolChoice = isSet(params.tool_choice) ? convertResponsesToolChoice(params.tool_choice) : undefined;
  if (toolChoice) chatRequest.tool_choice = toolChoice.chat;
  const parallelToolCalls = optionalBoolean(params.parallel_tool_calls, 'parallel_tool_calls');
  if (parallelToolCalls !== undefined) chatRequest.parallel_tool_calls = parallelToolCalls;

  const text = convertResponsesText(params.text);
  if (text.responseFormat) chatRequest.response_format = text.responseFormat;
  if (text.verbosity) chatRequest.verbosity = text.verbosity;

  const reasoning = convertReasoning(params.reasoning);
  if (reasoning.effort) chatRequest.reasoning_effort = reasoning.effort;

  // `metadata` labels the Response object; it is echoed, not sent upstream.
  const metadata = convertMetadata(params.metadata);
  const user = optionalString(params.user, 'user');
  if (user !== undefined) chatRequest.user = user;
  const safetyIdentifier = optionalString(params.safety_identifier, 'safety_identifier');
  if (safetyIdentifier !== undefined) chatRequest.safety_identifier = safetyIdentifier;
  const promptCacheKey = optionalString(params.prompt_cache_key, 'prompt_cache_key');
  if (promptCacheKey !== undefined) chatRequest.prompt_cache_key = promptCacheKey;
  if (isSet(params.prompt_cache_retention)) {
    chatRequest.prompt_cache_retention = requireOneOf(
      params.prompt_cache_retention,
      ['in_memory', '24h'] as const,
      'prompt_cache_retention',
    );
  }
  const serviceTier = isSet(params.service_tier)
    ? requireOneOf(params.service_tier, SERVICE_TIERS, 'service_tier')
    : undefined;
  if (serviceTier) chatRequest.service_tier = serviceTier;

  // Iris's OCR-mode extension rides along on the chat request; the chat pipeline's OCR layer reads it.
  const ocrModel = optionalString(params.ocr_model, 'ocr_model');
  if (ocrModel !== undefined) Object.assign(chatRequest, { ocr_model: ocrModel });

  const stream = optionalBoolean(params.stream, 'stream') ?? false;
  convertStreamOptions(params.stream_options, stream, dropped);
  convertInclude(params.include, dropped);

  return {
    chatRequest,
    stream,
    droppedParameters: dropped,
    origins,
    echo: {
      instructions: instructions ?? null,
      max_output_tokens: maxOutputTokens ?? null,
      metadata,
      parallel_tool_calls: parallelToolCalls ?? true,
      temperature: temperature ?? null,
      top_p: topP ?? null,
      tool_choice: toolChoice?.echo ?? 'auto',
      tools: tools.echo,
      text: text.echo,
      reasoning: { effort: reasoning.effort ?? null, summary: reasoning.summary ?? null },
      truncation: 'disabled',
      background: false,
      previous_response_id: null,
      top_logprobs: null,
      ...(user !== undefined && { user }),
      safety_identifier: safetyIdentifier ?? null,
      prompt_cache_key: promptCacheKey ?? null,
      service_tier: serviceTier ?? null,
    },
  };
}

/** Features that need server-side state or OpenAI's platform: each is a 400 naming it. */
function rejectStatefulFeatures(params: JsonObject): void {
  if (isSet(params.previous_response_id)) {
    throw notSupported(
      'previous_response_id',
      'this gateway stores no responses; send the full conversation in input.',
    );
  }
  // `store` absent or false is fine (nothing is stored either way); true asks for retrieval Iris cannot give.
  if (optionalBoolean(params.store, 'store') === true) {
    throw notSupported('store', 'this gateway stores no responses; send store: false or omit it.');
  }
  if (optionalBoolean(params.background, 'background') === true)
    throw notSupported('background', 'background responses need storage.');
  if (isSet(params.conversation))
    throw notSupported('conversation', 'conversations need storage; send the full conversation in input.');
  if (isSet(params.prompt))
    throw notSupported('prompt', "stored prompt templates live on OpenAI's platform.");
  if (isSet(params.context_management))
    throw notSupported('context_management', 'server-side compaction is not implemented.');
  if (isSet(params.max_tool_calls))
    throw notSupported('max_tool_calls', 'it limits built-in tool calls, which are not bridged.');
  if (isSet(params.top_logprobs)) throw notSupported('top_logprobs', 'log probabilities are not bridged.');
  if (
    isSet(params.truncation) &&
    requireOneOf(params.truncation, ['auto', 'disabled'] as const, 'truncation') === 'auto'
  ) {
    throw notSupported('truncation', "automatic truncation is not implemented; use 'disabled'.");
  }
}

/** @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-reasoning */
function convertReasoning(value: unknown): {
  effort?: (typeof REASONING_EFFORTS)[number];
  summary?: 'auto' | 'concise' | 'detailed';
} {
  if (!isSet(value)) return {};
  const reasoning = requireObject(value, 'reasoning');
  rejectUnknownFields(
    reasoning,
    new Set(['effort', 'summary', 'generate_summary', 'context', 'mode']),
    'reasoning',
  );
  if (isSet(reasoning.context))
    throw notSupported('reasoning.context', 'reasoning context control is not bridged.');
  if (isSet(reasoning.mode)) throw notSupported('reasoning.mode', 'reasoning modes are not bridged.');
  const effort = isSet(reasoning.effort)
    ? requireOneOf(reasoning.effort, REASONING_EFFORTS, 'reasoning.effort')
    : undefined;
  const summaryValue = reasoning.summary ?? reasoning.generate_summary;
  const summary = isSet(summaryValue)
    ? requireOneOf(
        summaryValue,
        ['auto', 'concise', 'detailed'] as const,
        isSet(reasoning.summary) ? 'reasoning.summary' : 'reasoning.generate_summary',
      )
    : undefined;
  // With a summary requested, the backend's reasoning text becomes the reasoning item's summary.
  return { effort, summary };
}

function convertMetadata(value: unknown): Record<string, string> | null {
  if (!isSet(value)) return null;
  const metadata = requireObject(value, 'metadata');
  const entries = Object.entries(metadata);
  if (entries.length > 16) throw GatewayError.invalidRequest("'metadata' takes at most 16 keys.", 'metadata');
  for (const [key, entry] of entries) {
    if (typeof entry !== 'string')
      throw GatewayError.invalidRequest(`'metadata.${key}' must be a string.`, `metadata.${key}`);
  }
  return metadata as Record<string, string>;
}

function convertStreamOptions(value: unknown, stream: boolean, dropped: string[]): void {
  if (!isSet(value)) return;
  const options = requireObject(value, 'stream_options');
  if (!stream)
    throw GatewayError.invalidRequest(
      "'stream_options' is only allowed with 'stream': true.",
      'stream_options',
    );
  rejectUnknownFields(options, new Set(['include_obfuscation']), 'stream_options');
  // Obfuscation pads deltas against length side channels; events are sent without the padding field.
  if (optionalBoolean(options.include_obfuscation, 'stream_options.include_obfuscation') === true) {
    dropped.push('stream_options.include_obfuscation');
  }
}

/** @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-include */
function convertInclude(value: unknown, dropped: string[]): void {
  if (!isSet(value)) return;
  if (!Array.isArray(value)) throw GatewayError.invalidRequest("'include' must be an array.", 'include');
  value.forEach((entry, index) => {
    const name = requireString(entry, `include[${index}]`);
    if (name === 'message.output_text.logprobs')
      throw notSupported(`include[${index}]`, 'log probabilities are not bridged.');
    if (!INCLUDE_WITHOUT_EFFECT.has(name)) {
      throw GatewayError.invalidRequest(
        `'include[${index}]' is not a known value: '${name}'.`,
        `include[${index}]`,
      );
    }
    // These add output Iris never produces (built-in tool results, encrypted reasoning): nothing to include.
    dropped.push(`include:${name}`);
  });
}
