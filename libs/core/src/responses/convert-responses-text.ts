import type { ChatRequest } from '../provider-adapter';
import type { ResponseTextConfig } from './responses-types';
import {
  isSet,
  optionalBoolean,
  optionalString,
  rejectUnknownFields,
  requireObject,
  requireOneOf,
  requireString,
} from './request-fields';

export interface ConvertedText {
  responseFormat?: ChatRequest['response_format'];
  verbosity?: ChatRequest['verbosity'];
  /** `text` as the Response object echoes it (`{format:{type:'text'}}` by default). */
  echo: ResponseTextConfig;
}

const TEXT_FIELDS = new Set(['format', 'verbosity']);
const JSON_SCHEMA_FIELDS = new Set(['type', 'name', 'schema', 'description', 'strict']);

/**
 * Responses `text` → chat `response_format` and `verbosity`. The json_schema format is flat in Responses
 * (`{type, name, schema, strict}`) and nested in chat (`{type, json_schema: {...}}`).
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-text
 */
export function convertResponsesText(value: unknown): ConvertedText {
  if (!isSet(value)) return { echo: { format: { type: 'text' } } };
  const text = requireObject(value, 'text');
  rejectUnknownFields(text, TEXT_FIELDS, 'text');
  const verbosity = isSet(text.verbosity)
    ? requireOneOf(text.verbosity, ['low', 'medium', 'high'] as const, 'text.verbosity')
    : undefined;
  const converted: ConvertedText = { echo: { format: { type: 'text' } } };
  if (verbosity) {
    converted.verbosity = verbosity;
    converted.echo.verbosity = verbosity;
  }
  if (!isSet(text.format)) return converted;
  const format = requireObject(text.format, 'text.format');
  const type = requireOneOf(format.type, ['text', 'json_object', 'json_schema'] as const, 'text.format.type');
  if (type === 'text') return converted; // the chat default: nothing to send
  if (type === 'json_object') {
    converted.responseFormat = { type: 'json_object' };
    converted.echo.format = { type: 'json_object' };
    return converted;
  }
  rejectUnknownFields(format, JSON_SCHEMA_FIELDS, 'text.format');
  const name = requireString(format.name, 'text.format.name');
  const schema = requireObject(format.schema, 'text.format.schema');
  const description = optionalString(format.description, 'text.format.description');
  const strict = optionalBoolean(format.strict, 'text.format.strict');
  converted.responseFormat = {
    type: 'json_schema',
    json_schema: {
      name,
      schema,
      ...(description !== undefined && { description }),
      ...(strict !== undefined && { strict }),
    },
  };
  converted.echo.format = {
    type: 'json_schema',
    name,
    schema,
    ...(description !== undefined && { description }),
    strict: strict ?? null,
  };
  return converted;
}
