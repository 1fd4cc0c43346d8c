export * from './apply-ocr-mode';
export * from './ocr-cache';
export * from './ocr-prompt';
export * from './image-part-of';
export * from './sum-usage';
