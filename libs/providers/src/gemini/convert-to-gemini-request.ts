import {
  FunctionCallingConfigMode,
  MediaResolution,
  type Content,
  type FunctionDeclaration,
  type GenerateContentConfig,
  type ThinkingConfig,
  type ToolConfig,
} from '@google/genai';
import { GatewayError, type ChatRequest, type ChatCompletionTool } from '@app/core';
import { convertToGeminiContents, type ImageDetail } from './convert-to-gemini-contents';
import type { GeminiModelOptions } from './gemini-options';
import { reduceJsonSchema, reduceParametersSchema } from './reduce-json-schema';

/** What the adapter sends: the SDK's `contents` + `config` (transport options are added by the adapter). */
export interface GeminiRequest {
  contents: Content[];
  config: GenerateContentConfig;
  droppedParameters: string[];
}

/**
 * `reasoning_effort` → `thinkingBudget`, the table of Google's OpenAI-compatible endpoint (xhigh/max get the
 * highest budget every thinking model accepts).
 * @see https://ai.google.dev/gemini-api/docs/openai#thinking
 */
export const THINKING_BUDGETS: Record<string, number> = {
  none: 0,
  minimal: 1024,
  low: 1024,
  medium: 8192,
  high: 24576,
  xhigh: 24576,
  max: 24576,
};

/** Request fields Gemini has no equivalent for; dropped by documented policy and named in `x-iris-dropped-params`. */
const DROPPED_WHEN_SET = [
  'logit_bias',
  'user',
  'metadata',
  'store',
  'service_tier',
  'prediction',
  'prompt_cache_key',
  'prompt_cache_options',
  'prompt_cache_retention',
  'safety_identifier',
  'verbosity',
  'moderation',
] as const;

/** Every request field this converter decides about; anything else is reported as dropped. */
const HANDLED = new Set<string>([
  ...DROPPED_WHEN_SET,
  'messages',
  'model',
  'temperature',
  'top_p',
  'max_tokens',
  'max_completion_tokens',
  'stop',
  'n',
  'seed',
  'presence_penalty',
  'frequency_penalty',
  'logprobs',
  'top_logprobs',
  'reasoning_effort',
  'response_format',
  'tools',
  'tool_choice',
  'functions',
  'function_call',
  'parallel_tool_calls',
  'modalities',
  'audio',
  'web_search_options',
  'stream',
  'stream_options',
]);

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** @see https://ai.google.dev/api/caching#FunctionDeclaration */
function functionDeclarations(
  tools: readonly ChatCompletionTool[],
  dropped: Set<string>,
): FunctionDeclaration[] {
  return tools.map((tool, index) => {
    if (tool.type !== 'function') {
      throw GatewayError.invalidRequest(
        'Only function tools are supported by Gemini backends.',
        `tools[${index}].type`,
      );
    }
    const declaration: FunctionDeclaration = { name: tool.function.name };
    if (tool.function.description !== undefined) declaration.description = tool.function.description;
    const parameters = reduceParametersSchema(
      tool.function.parameters,
      `tools[${index}].function.parameters`,
    );
    if (parameters) declaration.parameters = parameters;
    // Gemini always validates calls against the declaration; there is no separate strict switch.
    if (tool.function.strict) dropped.add('tools[].function.strict');
    return declaration;
  });
}

/**
 * `tool_choice` → `toolConfig.functionCallingConfig`: auto → AUTO, none → NONE, required → ANY,
 * a named function → ANY + allowedFunctionNames.
 * @see https://ai.google.dev/gemini-api/docs/function-calling#function_calling_modes
 */
export function convertToolChoice(
  toolChoice: ChatRequest['tool_choice'],
  param = 'tool_choice',
): ToolConfig | undefined {
  if (toolChoice === undefined || toolChoice === null) return undefined;
  if (toolChoice === 'auto') return { functionCallingConfig: { mode: FunctionCallingConfigMode.AUTO } };
  if (toolChoice === 'none') return { functionCallingConfig: { mode: FunctionCallingConfigMode.NONE } };
  if (toolChoice === 'required') return { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY } };
  if (typeof toolChoice === 'object' && toolChoice.type === 'function') {
    return {
      functionCallingConfig: {
        mode: FunctionCallingConfigMode.ANY,
        allowedFunctionNames: [toolChoice.function.name],
      },
    };
  }
  if (typeof toolChoice === 'object' && toolChoice.type === 'allowed_tools') {
    const names = toolChoice.allowed_tools.tools.map((tool, index) => {
      const name = (tool as { function?: { name?: unknown } }).function?.name;
      if (typeof name !== 'string') {
        throw GatewayError.invalidRequest(
          'Only function tools can be allowed for Gemini backends.',
          `${param}.allowed_tools.tools[${index}]`,
        );
      }
      return name;
    });
    const mode =
      toolChoice.allowed_tools.mode === 'required'
        ? FunctionCallingConfigMode.ANY
        : FunctionCallingConfigMode.AUTO;
    // Gemini takes allowedFunctionNames only in ANY mode; in AUTO the declarations are filtered instead.
    return {
      functionCallingConfig:
        mode === FunctionCallingConfigMode.ANY ? { mode, allowedFunctionNames: names } : { mode },
    };
  }
  throw GatewayError.invalidRequest('This tool_choice is not supported by Gemini backends.', param);
}

/** Names an `allowed_tools` choice in AUTO mode limits the declarations to. */
function allowedInAutoMode(toolChoice: ChatRequest['tool_choice']): Set<string> | undefined {
  if (
    typeof toolChoice === 'object' &&
    toolChoice?.type === 'allowed_tools' &&
    toolChoice.allowed_tools.mode !== 'required'
  ) {
    return new Set(
      toolChoice.allowed_tools.tools.map((tool) =>
        String((tool as { function?: { name?: unknown } }).function?.name),
      ),
    );
  }
  return undefined;
}

/** OpenAI `detail` → one request-wide media resolution: high if any image asks for it, low if all do. */
export function mediaResolutionFor(details: readonly ImageDetail[]): MediaResolution | undefined {
  if (details.includes('high')) return MediaResolution.MEDIA_RESOLUTION_HIGH;
  if (details.length > 0 && details.every((detail) => detail === 'low'))
    return MediaResolution.MEDIA_RESOLUTION_LOW;
  return undefined;
}

/**
 * OpenAI chat request → Gemini generateContent request. Every parameter is mapped, rejected with a 400,
 * or dropped by documented policy and reported.
 * @see https://ai.google.dev/api/generate-content#generationconfig
 * @see https://ai.google.dev/gemini-api/docs/openai
 */
export function convertToGeminiRequest(request: ChatRequest, options: GeminiModelOptions): GeminiRequest {
  const converted = convertToGeminiContents(request.messages, options);
  const dropped = new Set<string>(converted.droppedParameters);
  const config: GenerateContentConfig = {};
  if (converted.systemInstruction) config.systemInstruction = converted.systemInstruction;

  if (isSet(request.temperature)) config.temperature = request.temperature as number;
  if (isSet(request.top_p)) config.topP = request.top_p as number;
  const maxTokens = request.max_completion_tokens ?? request.max_tokens ?? options.defaultMaxTokens;
  if (isSet(maxTokens)) config.maxOutputTokens = maxTokens as number;
  if (isSet(request.stop))
    config.stopSequences =
      typeof request.stop === 'string' ? [request.stop] : [...(request.stop as string[])];
  if (isSet(request.n) && request.n !== 1) config.candidateCount = request.n as number;
  if (isSet(request.seed)) config.seed = request.seed as number;
  if (isSet(request.presence_penalty)) config.presencePenalty = request.presence_penalty as number;
  if (isSet(request.frequency_penalty)) config.frequencyPenalty = request.frequency_penalty as number;
  if (request.logprobs) config.responseLogprobs = true;
  if (isSet(request.top_logprobs)) {
    if (!request.logprobs)
      throw GatewayError.invalidRequest('top_logprobs requires logprobs to be true.', 'top_logprobs');
    config.logprobs = request.top_logprobs as number;
  }
  if (isSet(request.reasoning_effort)) {
    const budget = THINKING_BUDGETS[request.reasoning_effort as string];
    if (budget === undefined)
      throw GatewayError.invalidRequest('Unknown reasoning_effort.', 'reasoning_effort');
    const thinking: ThinkingConfig = { thinkingBudget: budget };
    if (budget > 0) thinking.includeThoughts = true;
    config.thinkingConfig = thinking;
  }

  const format = request.response_format;
  if (format?.type === 'json_object') config.responseMimeType = 'application/json';
  else if (format?.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    if (format.json_schema.schema !== undefined)
      config.responseSchema = reduceJsonSchema(
        format.json_schema.schema,
        'response_format.json_schema.schema',
      );
  } else if (format && format.type !== 'text') {
    throw GatewayError.invalidRequest(
      `response_format '${String((format as { type?: unknown }).type)}' is not supported by Gemini backends.`,
      'response_format.type',
    );
  }

  let tools = request.tools ?? undefined;
  let toolChoice = request.tool_choice;
  if (!tools && request.functions) {
    tools = request.functions.map((fn) => ({ type: 'function' as const, function: fn }));
    const legacy = request.function_call;
    toolChoice =
      legacy === undefined
        ? undefined
        : typeof legacy === 'string'
          ? legacy
          : { type: 'function', function: { name: legacy.name } };
  }
  if (tools && tools.length > 0) {
    const allowed = allowedInAutoMode(toolChoice);
    const declared = allowed
      ? tools.filter((tool) => tool.type === 'function' && allowed.has(tool.function.name))
      : tools;
    config.tools = [{ functionDeclarations: functionDeclarations(declared, dropped) }];
    const toolConfig = convertToolChoice(toolChoice);
    if (toolConfig) config.toolConfig = toolConfig;
  } else if (isSet(toolChoice) && toolChoice !== 'none' && toolChoice !== 'auto') {
    throw GatewayError.invalidRequest('tool_choice needs tools.', 'tool_choice');
  }
  // Gemini has no switch to forbid parallel calls.
  if (request.parallel_tool_calls === false) dropped.add('parallel_tool_calls');

  if (request.modalities?.some((modality) => modality !== 'text')) {
    throw GatewayError.invalidRequest('Gemini backends produce text only.', 'modalities');
  }
  if (isSet(request.audio))
    throw GatewayError.invalidRequest('Audio output is not supported by Gemini backends.', 'audio');
  if (isSet(request.web_search_options)) {
    throw GatewayError.invalidRequest(
      'web_search_options is not supported by Gemini backends.',
      'web_search_options',
    );
  }

  const resolution = mediaResolutionFor(converted.imageDetails);
  if (resolution && options.mediaResolution) config.mediaResolution = resolution;
  else if (resolution) dropped.add('messages[].content[].image_url.detail');

  for (const key of DROPPED_WHEN_SET) if (isSet(request[key])) dropped.add(key);
  for (const key of Object.keys(request)) {
    if (!HANDLED.has(key) && isSet((request as Record<string, unknown>)[key])) dropped.add(key);
  }
  return { contents: converted.contents, config, droppedParameters: [...dropped] };
}
