/**
 * The Responses API types from the `openai` package (type-only), named once for the bridge.
 * @see https://platform.openai.com/docs/api-reference/responses
 */
export type {
  Response,
  ResponseCreateParams,
  ResponseCreateParamsBase,
  ResponseInputItem,
  ResponseInputContent,
  ResponseInputImage,
  ResponseInputFile,
  ResponseInputText,
  ResponseOutputItem,
  ResponseOutputMessage,
  ResponseOutputText,
  ResponseOutputRefusal,
  ResponseFunctionToolCall,
  ResponseReasoningItem,
  ResponseStreamEvent,
  ResponseUsage,
  ResponseTextConfig,
  ResponseErrorEvent,
  EasyInputMessage,
  FunctionTool,
  Tool as ResponseTool,
} from 'openai/resources/responses/responses';
