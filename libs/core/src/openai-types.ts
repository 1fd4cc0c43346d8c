/**
 * The one internal format: OpenAI Chat Completions types from the `openai` package (type-only imports).
 * Re-exported here so every layer names them the same way.
 */
export type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionMessageParam,
  ChatCompletionContentPart,
  ChatCompletionContentPartImage,
  ChatCompletionContentPartText,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionTool,
  ChatCompletionToolChoiceOption,
  ChatCompletionMessageToolCall,
  ChatCompletionAssistantMessageParam,
  ChatCompletionToolMessageParam,
  ChatCompletionUserMessageParam,
  ChatCompletionSystemMessageParam,
  ChatCompletionDeveloperMessageParam,
} from 'openai/resources/chat/completions';
export type { CompletionUsage } from 'openai/resources/completions';
