import {
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Max,
  Min,
  MinLength,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';

/** `string | string[]` with at most `max` items (OpenAI's `stop`). */
function IsStringOrStrings(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStringOrStrings',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' ||
          (Array.isArray(value) && value.length <= max && value.every((item) => typeof item === 'string')),
        defaultMessage: () => `must be a string or an array of at most ${max} strings`,
      },
    },
    options,
  );
}

function IsToolChoice(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isToolChoice',
      validator: {
        validate: (value: unknown) => {
          if (value === 'none' || value === 'auto' || value === 'required') return true;
          if (typeof value !== 'object' || value === null) return false;
          const choice = value as { type?: unknown; function?: { name?: unknown } };
          return choice.type === 'function' && typeof choice.function?.name === 'string';
        },
        defaultMessage: () =>
          `must be "none", "auto", "required" or {"type":"function","function":{"name":"..."}}`,
      },
    },
    options,
  );
}

/** Record<string, number in -100..100> (OpenAI's `logit_bias`). */
function IsLogitBias(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isLogitBias',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.values(value).every((bias) => typeof bias === 'number' && bias >= -100 && bias <= 100),
        defaultMessage: () => 'must map token ids to numbers between -100 and 100',
      },
    },
    options,
  );
}

/**
 * The top level of `POST /v1/chat/completions`. Messages and their parts are validated by their own DTOs;
 * fields not modelled here are kept and passed on (OpenAI adds fields often).
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
export class ChatRequestDto {
  @IsString() @MinLength(1) model!: string;
  @IsArray() @ArrayMinSize(1, { message: 'messages must contain at least one message' }) messages!: unknown[];
  @IsOptional() @IsBoolean() stream?: boolean | null;
  @IsOptional() @IsObject() stream_options?: { include_usage?: boolean } | null;
  @IsOptional() @IsNumber() @Min(0) @Max(2) temperature?: number | null;
  @IsOptional() @IsNumber() @Min(0) @Max(1) top_p?: number | null;
  @IsOptional() @IsInt() @Min(1) @Max(128) n?: number | null;
  @IsOptional() @IsStringOrStrings(4) stop?: string | string[] | null;
  @IsOptional() @IsInt() @Min(1) max_tokens?: number | null;
  @IsOptional() @IsInt() @Min(1) max_completion_tokens?: number | null;
  @IsOptional() @IsNumber() @Min(-2) @Max(2) presence_penalty?: number | null;
  @IsOptional() @IsNumber() @Min(-2) @Max(2) frequency_penalty?: number | null;
  @IsOptional() @IsLogitBias() logit_bias?: Record<string, number> | null;
  @IsOptional() @IsString() user?: string;
  @IsOptional() @IsObject() response_format?: { type?: unknown };
  @IsOptional() @IsInt() seed?: number | null;
  @IsOptional() @IsArray() tools?: unknown[];
  @IsOptional() @IsToolChoice() tool_choice?: unknown;
  @IsOptional() @IsBoolean() parallel_tool_calls?: boolean;
  @IsOptional() @IsIn(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']) reasoning_effort?: string | null;
  @IsOptional() @IsBoolean() logprobs?: boolean | null;
  @IsOptional() @IsInt() @Min(0) @Max(20) top_logprobs?: number | null;
  @IsOptional() @IsObject() metadata?: Record<string, string> | null;
  /** Iris extension: analyse every image with this model first (OCR mode). */
  @IsOptional() @IsString() @MinLength(1) ocr_model?: string;
}

export class StreamOptionsDto {
  @IsOptional() @IsBoolean() include_usage?: boolean;
}

export class ResponseFormatDto {
  @IsIn(['text', 'json_object', 'json_schema']) type!: string;
  @IsOptional() @IsObject() json_schema?: { name?: unknown; schema?: unknown };
}

export class JsonSchemaFormatDto {
  @IsString() @MinLength(1) name!: string;
  @IsOptional() @IsObject() schema?: Record<string, unknown>;
  @IsOptional() @IsBoolean() strict?: boolean | null;
  @IsOptional() @IsString() description?: string;
}

export class ToolDto {
  @IsIn(['function'], { message: 'type must be "function"' }) type!: string;
  @IsObject() function!: unknown;
}

export class FunctionDefinitionDto {
  @IsString()
  @ValidateBy({
    name: 'isFunctionName',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && /^[a-zA-Z0-9_-]{1,64}$/.test(value),
      defaultMessage: () => 'must be 1-64 letters, digits, underscores or dashes',
    },
  })
  name!: string;
  @IsOptional() @IsString() description?: string;
  @IsOptional() @IsObject() parameters?: Record<string, unknown>;
  @IsOptional() @IsBoolean() strict?: boolean | null;
}

export class MessageDto {
  @IsIn(['system', 'developer', 'user', 'assistant', 'tool'], {
    message: 'role must be one of system, developer, user, assistant, tool',
  })
  role!: string;
  @IsOptional() @IsString() name?: string;
}

export class AssistantToolCallDto {
  @IsString() @MinLength(1) id!: string;
  @IsIn(['function'], { message: 'type must be "function"' }) type!: string;
  @IsObject() function!: unknown;
}

export class ToolCallFunctionDto {
  @IsString() @MinLength(1) name!: string;
  @IsString() arguments!: string;
}

export class ToolMessageDto {
  @IsString() @MinLength(1) tool_call_id!: string;
}

export class ContentPartDto {
  @IsIn(['text', 'image_url', 'input_audio', 'file', 'refusal'], {
    message: 'type must be one of text, image_url, input_audio, file, refusal',
  })
  type!: string;
}

export class TextPartDto {
  @IsString() text!: string;
}

export class RefusalPartDto {
  @IsString() refusal!: string;
}

export class ImageUrlDto {
  @IsString() @MinLength(1, { message: 'url must not be empty' }) url!: string;
  @IsOptional() @IsIn(['low', 'high', 'auto']) detail?: string;
}
