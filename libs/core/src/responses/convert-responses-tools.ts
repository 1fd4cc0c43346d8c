import type { ChatCompletionTool, ChatCompletionToolChoiceOption } from '../openai-types';
import type { FunctionTool, ResponseCreateParamsBase } from './responses-types';
import { GatewayError } from '../gateway-error';
import {
  isSet,
  notSupported,
  optionalBoolean,
  optionalString,
  rejectUnknownFields,
  requireArray,
  requireObject,
  requireOneOf,
  requireString,
  type JsonObject,
} from './request-fields';

export interface ConvertedTools {
  chatTools: ChatCompletionTool[];
  /** The tools as the Response object echoes them (schema-required fields filled). */
  echo: FunctionTool[];
}

const FUNCTION_TOOL_FIELDS = new Set([
  'type',
  'name',
  'description',
  'parameters',
  'strict',
  'defer_loading',
  'allowed_callers',
  'output_schema',
]);

/**
 * Flat Responses function tools → chat function tools. Built-in tools (web_search, file_search, computer, …)
 * run inside OpenAI's platform and have no chat equivalent: 400.
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-tools
 */
export function convertResponsesTools(value: unknown): ConvertedTools {
  const converted: ConvertedTools = { chatTools: [], echo: [] };
  requireArray(value, 'tools').forEach((entry, index) => {
    const param = `tools[${index}]`;
    const tool = requireObject(entry, param);
    if (tool.type !== 'function') {
      throw notSupported(
        `${param}.type`,
        `'${String(tool.type)}' tools are built into OpenAI's platform; only function tools are bridged.`,
      );
    }
    rejectUnknownFields(tool, FUNCTION_TOOL_FIELDS, param);
    if (tool.defer_loading === true)
      throw notSupported(`${param}.defer_loading`, 'deferred tool loading is not implemented.');
    if (isSet(tool.output_schema))
      throw notSupported(`${param}.output_schema`, 'tool output schemas are not implemented.');
    if (isSet(tool.allowed_callers)) {
      const callers = requireArray(tool.allowed_callers, `${param}.allowed_callers`);
      if (callers.some((caller) => caller !== 'direct')) {
        throw notSupported(`${param}.allowed_callers`, 'programmatic tool calling is not implemented.');
      }
    }
    const name = requireString(tool.name, `${param}.name`);
    const description = optionalString(tool.description, `${param}.description`);
    const parameters = isSet(tool.parameters)
      ? requireObject(tool.parameters, `${param}.parameters`)
      : undefined;
    // Responses treats an absent `strict` as true; chat backends differ, so only an explicit value is sent.
    const strict = optionalBoolean(tool.strict, `${param}.strict`);
    converted.chatTools.push({
      type: 'function',
      function: {
        name,
        ...(description !== undefined && { description }),
        ...(parameters !== undefined && { parameters }),
        ...(strict !== undefined && { strict }),
      },
    });
    converted.echo.push({
      type: 'function',
      name,
      description: description ?? null,
      parameters: parameters ?? null,
      strict: strict ?? null,
    });
  });
  return converted;
}

export type ResponsesToolChoice = NonNullable<ResponseCreateParamsBase['tool_choice']>;

/**
 * Responses `tool_choice` → chat `tool_choice`.
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-tool_choice
 */
export function convertResponsesToolChoice(value: unknown): {
  chat: ChatCompletionToolChoiceOption;
  echo: ResponsesToolChoice;
} {
  if (typeof value === 'string') {
    const option = requireOneOf(value, ['none', 'auto', 'required'] as const, 'tool_choice');
    return { chat: option, echo: option };
  }
  const choice = requireObject(value, 'tool_choice');
  switch (choice.type) {
    case 'function': {
      const name = requireString(choice.name, 'tool_choice.name');
      return { chat: { type: 'function', function: { name } }, echo: { type: 'function', name } };
    }
    case 'allowed_tools': {
      const mode = requireOneOf(choice.mode, ['auto', 'required'] as const, 'tool_choice.mode');
      const names = requireArray(choice.tools, 'tool_choice.tools').map((entry, index) =>
        allowedToolName(entry, index),
      );
      return {
        chat: {
          type: 'allowed_tools',
          allowed_tools: { mode, tools: names.map((name) => ({ type: 'function', function: { name } })) },
        },
        echo: { type: 'allowed_tools', mode, tools: names.map((name) => ({ type: 'function', name })) },
      };
    }
    default:
      throw notSupported(
        'tool_choice.type',
        `'${String(choice.type)}' names a built-in tool; only function tools are bridged.`,
      );
  }
}

function allowedToolName(entry: unknown, index: number): string {
  const param = `tool_choice.tools[${index}]`;
  const tool: JsonObject = requireObject(entry, param);
  if (tool.type !== 'function') throw notSupported(`${param}.type`, 'only function tools are bridged.');
  const name = requireString(tool.name, `${param}.name`);
  if (name.length === 0) throw GatewayError.invalidRequest(`'${param}.name' is empty.`, `${param}.name`);
  return name;
}
