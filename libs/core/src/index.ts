export * from './openai-types';
export * from './gateway-error';
export * from './provider-adapter';
export * from './logger';
export * from './images/provider-image-rules';
export * from './images/prepared-image';
export * from './ocr';
export * from './http/upstream-agent';
