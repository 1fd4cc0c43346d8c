import type {
  MessageCreateParamsBase,
  OutputConfig,
  ThinkingConfigParam,
  Tool,
  ToolChoice,
} from '@anthropic-ai/sdk/resources/messages/messages';
import { GatewayError, type ChatCompletionTool, type ChatRequest } from '@app/core';
import type { AnthropicModelSettings } from './anthropic-model-settings';
import { convertToAnthropicMessages } from './convert-to-anthropic-messages';

/**
 * The Messages request body. Sampling fields are typed here because the SDK's types no longer list them
 * (deprecated upstream), yet most models still take them; `sampling: false` models never get them.
 */
export type AnthropicRequestBody = Omit<MessageCreateParamsBase, 'stream'> & {
  temperature?: number;
  top_p?: number;
  top_k?: number;
};

export interface AnthropicRequestPlan {
  body: AnthropicRequestBody;
  /** Set when JSON output comes back as this forced tool's input (`structuredOutputs: 'tool'`). */
  structuredOutputTool?: string;
  droppedParameters: string[];
}

/** The forced tool that carries `response_format` JSON on models without native structured outputs. */
export const STRUCTURED_OUTPUT_TOOL = 'json_response';

/** `reasoning_effort` → thinking budget (Claude's minimum is 1024). `none` turns thinking off. */
export const THINKING_BUDGETS: Readonly<Record<string, number>> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16384,
  xhigh: 32000,
  max: 64000,
};
/** `reasoning_effort` → `output_config.effort` for adaptive-thinking models. */
const ADAPTIVE_EFFORT: Readonly<Record<string, OutputConfig['effort']>> = {
  minimal: 'low',
  low: 'low',
  medium: 'medium',
  high: 'high',
  xhigh: 'xhigh',
  max: 'max',
};

/** Parameters with no Claude equivalent: dropped (documented policy) and named in `x-iris-dropped-params`. */
const DROPPED_WHEN_SET: Readonly<Record<string, (value: unknown) => boolean>> = {
  frequency_penalty: (value) => value !== 0,
  presence_penalty: (value) => value !== 0,
  logit_bias: (value) => typeof value === 'object' && Object.keys(value as object).length > 0,
  seed: () => true,
  logprobs: (value) => value === true,
  top_logprobs: () => true,
  metadata: () => true,
  store: (value) => value === true,
  service_tier: () => true,
  verbosity: () => true,
  prediction: () => true,
  prompt_cache_key: () => true,
  prompt_cache_retention: () => true,
  prompt_cache_options: () => true,
};

/** Parameters whose loss would change the answer: rejected with 400. */
const REJECTED: Readonly<Record<string, string>> = {
  audio: 'Claude cannot answer with audio.',
  web_search_options: 'web_search_options is not supported for Claude models.',
  functions: 'Legacy `functions` are not supported; use `tools`.',
  function_call: 'Legacy `function_call` is not supported; use `tool_choice`.',
};

/** Handled below (or by the adapter: `n`). */
const MAPPED = new Set([
  'messages',
  'model',
  'n',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'top_k',
  'stop',
  'user',
  'safety_identifier',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'reasoning_effort',
  'response_format',
  'modalities',
]);

/**
 * OpenAI chat request → Claude Messages request, one decision per parameter.
 * @see https://docs.anthropic.com/en/api/messages
 * @see https://docs.anthropic.com/en/api/openai-sdk (Anthropic's own notes on OpenAI parameter handling)
 */
export function convertToAnthropicRequest(
  request: ChatRequest,
  model: string,
  settings: AnthropicModelSettings,
): AnthropicRequestPlan {
  const dropped = new Set<string>();
  const fields = request as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === null || MAPPED.has(key)) continue;
    if (key in REJECTED) throw GatewayError.invalidRequest(REJECTED[key], key);
    const isEffective = DROPPED_WHEN_SET[key];
    if (isEffective ? isEffective(value) : true) dropped.add(key); // unknown fields too: never forwarded silently
  }
  if (request.modalities?.some((modality) => modality !== 'text')) {
    throw GatewayError.invalidRequest('Claude answers with text only.', 'modalities');
  }

  const prompt = convertToAnthropicMessages(request.messages);
  prompt.droppedParameters.forEach((name) => dropped.add(name));

  const requestedMax = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  const body: AnthropicRequestBody = {
    model,
    messages: prompt.messages,
    max_tokens: requestedMax ?? settings.maxOutputTokens,
  };
  if (prompt.system.length > 0) body.system = prompt.system;

  // Thinking first: it decides whether sampling parameters can be sent.
  const thinking = thinkingFor(request.reasoning_effort ?? undefined, settings, dropped);
  if (thinking) {
    body.thinking = thinking.config;
    if (thinking.effort) body.output_config = { effort: thinking.effort };
    if (thinking.config.type === 'enabled') {
      const budget = thinking.config.budget_tokens;
      // The budget is part of max_tokens: keep the client's visible-output limit on top of it.
      body.max_tokens =
        requestedMax !== undefined
          ? requestedMax + budget
          : Math.max(settings.maxOutputTokens, budget + 1024);
    }
  }

  const sampling: Array<['temperature' | 'top_p' | 'top_k', unknown]> = [
    ['temperature', request.temperature],
    ['top_p', request.top_p],
    ['top_k', fields.top_k],
  ];
  for (const [name, value] of sampling) {
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number') throw GatewayError.invalidRequest(`${name} must be a number.`, name);
    // Claude rejects sampling parameters with thinking on, and some models reject them always.
    if (!settings.sampling || thinking) dropped.add(name);
    // Claude's temperature range is 0..1 (OpenAI's is 0..2): values above 1 are clamped to 1 (documented).
    else if (name === 'temperature') body.temperature = Math.min(Math.max(value, 0), 1);
    else body[name] = value;
  }

  const stop = typeof request.stop === 'string' ? [request.stop] : (request.stop ?? []);
  const stopSequences = stop.filter((sequence) => sequence.trim().length > 0);
  if (stopSequences.length < stop.length) dropped.add('stop'); // Claude rejects whitespace-only stop sequences
  if (stopSequences.length > 0) body.stop_sequences = stopSequences;

  const userId = request.safety_identifier ?? request.user;
  if (userId) {
    if (userId.length > 256)
      throw GatewayError.invalidRequest('Claude takes user ids of at most 256 characters.', 'user');
    body.metadata = { user_id: userId };
  }

  const tools = (request.tools ?? []).map(toClaudeTool);
  let toolChoice = toolChoiceFor(request, tools);
  let structuredOutputTool: string | undefined;

  const format = request.response_format;
  if (format && format.type !== 'text') {
    const schema =
      format.type === 'json_schema' ? (format.json_schema.schema ?? { type: 'object' }) : undefined;
    if (schema && settings.structuredOutputs === 'native') {
      body.output_config = { ...body.output_config, format: { type: 'json_schema', schema } };
    } else {
      // json_object (no schema to enforce) and models without native structured outputs: a forced tool.
      if (tools.length > 0) {
        throw GatewayError.invalidRequest(
          'response_format together with tools needs a Claude model with native structured outputs.',
          'response_format',
        );
      }
      if (thinking) {
        throw GatewayError.invalidRequest(
          'response_format cannot be combined with reasoning_effort on this Claude model.',
          'response_format',
        );
      }
      const description = format.type === 'json_schema' ? format.json_schema.description : undefined;
      tools.push({
        name: STRUCTURED_OUTPUT_TOOL,
        description: `Respond with a JSON object${description ? `: ${description}` : '.'}`,
        input_schema: (schema ?? { type: 'object' }) as Tool.InputSchema,
      });
      toolChoice = { type: 'tool', name: STRUCTURED_OUTPUT_TOOL, disable_parallel_tool_use: true };
      structuredOutputTool = STRUCTURED_OUTPUT_TOOL;
    }
  }
  if (thinking && (toolChoice?.type === 'any' || toolChoice?.type === 'tool')) {
    throw GatewayError.invalidRequest(
      'Claude cannot force a tool call while thinking; drop reasoning_effort or use tool_choice auto.',
      'tool_choice',
    );
  }
  if (tools.length > 0) body.tools = tools;
  if (toolChoice) body.tool_choice = toolChoice;

  return { body, structuredOutputTool, droppedParameters: [...dropped] };
}

/** @see https://docs.anthropic.com/en/docs/build-with-claude/tool-use/overview */
function toClaudeTool(tool: ChatCompletionTool, index: number): Tool {
  if (tool.type !== 'function') {
    throw GatewayError.invalidRequest(
      `Tool type '${tool.type}' is not supported by Claude.`,
      `tools[${index}].type`,
    );
  }
  const parameters = (tool.function.parameters ?? { type: 'object', properties: {} }) as Tool.InputSchema;
  const claudeTool: Tool = { name: tool.function.name, input_schema: parameters };
  if (tool.function.description) claudeTool.description = tool.function.description;
  if (tool.function.strict === true) claudeTool.strict = true;
  return claudeTool;
}

/**
 * auto → auto, none → none, required → any, `{function:{name}}` → `{type:'tool', name}`, allowed_tools →
 * the listed tools with auto/any; `parallel_tool_calls: false` → `disable_parallel_tool_use`.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/tool-use/implement-tool-use#forcing-tool-use
 */
function toolChoiceFor(request: ChatRequest, tools: Tool[]): ToolChoice | undefined {
  const choice = request.tool_choice;
  const disableParallel = request.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined)
    return tools.length > 0 && request.parallel_tool_calls === false
      ? { type: 'auto', ...disableParallel }
      : undefined;
  if (choice === 'none') return tools.length > 0 ? { type: 'none' } : undefined;
  if (choice === 'auto') return { type: 'auto', ...disableParallel };
  if (choice === 'required') return { type: 'any', ...disableParallel };
  switch (choice.type) {
    case 'function':
      return { type: 'tool', name: choice.function.name, ...disableParallel };
    case 'allowed_tools': {
      const allowed = new Set(
        choice.allowed_tools.tools.map((tool) => (tool as { function?: { name?: string } }).function?.name),
      );
      const kept = tools.filter((tool) => allowed.has(tool.name));
      tools.splice(0, tools.length, ...kept);
      return { type: choice.allowed_tools.mode === 'required' ? 'any' : 'auto', ...disableParallel };
    }
    case 'custom':
      throw GatewayError.invalidRequest('Custom tools are not supported by Claude.', 'tool_choice');
    default: {
      const unknown: never = choice;
      throw GatewayError.invalidRequest(`Unknown tool_choice ${JSON.stringify(unknown)}.`, 'tool_choice');
    }
  }
}

/**
 * @see https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking
 * @see https://platform.claude.com/docs/en/build-with-claude/adaptive-thinking
 */
function thinkingFor(
  effort: string | undefined,
  settings: AnthropicModelSettings,
  dropped: Set<string>,
): { config: ThinkingConfigParam; effort?: OutputConfig['effort'] } | undefined {
  if (effort === undefined || effort === 'none') return undefined;
  if (!(effort in THINKING_BUDGETS))
    throw GatewayError.invalidRequest(`Unknown reasoning_effort '${effort}'.`, 'reasoning_effort');
  if (settings.thinking === false) {
    dropped.add('reasoning_effort');
    return undefined;
  }
  if (settings.thinking === 'adaptive')
    return { config: { type: 'adaptive' }, effort: ADAPTIVE_EFFORT[effort] };
  return { config: { type: 'enabled', budget_tokens: THINKING_BUDGETS[effort] } };
}
