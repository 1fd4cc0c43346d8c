/** The Responses API ⇄ chat bridge (pure; the app owns HTTP and SSE framing). */
export type {
  Response as ResponsesApiResponse,
  ResponseStreamEvent,
  ResponseCreateParams,
} from './responses-types';
export {
  convertResponsesRequest,
  type ConvertedResponsesRequest,
  type ResponseEcho,
} from './convert-responses-request';
export type { MessageOrigin } from './convert-responses-input';
export { responsesParamOf } from './responses-param-of';
export { randomResponseIds, sequentialResponseIds, type ResponseIdSource } from './response-ids';
export { createResponseSkeleton, type ResponseIdentity } from './response-skeleton';
export { convertChatCompletion, type MessageWithReasoning } from './convert-chat-completion';
export { chatChunksToResponseEvents, type ResponseEventOptions } from './chat-chunks-to-response-events';
