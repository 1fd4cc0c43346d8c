export * from './openai-types';
export * from './gateway-error';
export * from './provider-adapter';
export * from './logger';
export * from './images/provider-image-rules';
export * from './images/prepared-image';
export * from './images/base64-bytes';
export * from './ocr';
export * from './http/upstream-agent';
export { createUpstreamFetch, isUpstreamBodyTimeout } from './http/upstream-fetch';
export { ChunkedBytes } from './http/chunked-bytes';
export {
  readParsedServerSentEvents,
  readServerSentEvents,
  type ServerSentEvent,
} from './http/server-sent-events';
export { SdkHeaderTemplates } from './http/sdk-header-templates';
export { BlockLease, BlockPool, BLOCK_BYTES } from './http/block-pool';
export {
  base64BytesOf,
  deferImageStrings,
  releaseDeferredStrings,
  RequestBytes,
} from './http/deferred-json-strings';
export * from './responses';
export * from './images';
