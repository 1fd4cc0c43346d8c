import type { ProviderDefinition } from '@app/core';
import { LOCAL_OCR_MODEL, LocalOcrAdapter } from './local-ocr.adapter';
import { parseLocalOcrOptions } from './local-ocr-options';
import { createTesseractEngine } from './tesseract-engine';

/**
 * The built-in offline OCR engine (tesseract.js + local traineddata): works without a key and without network.
 * Backend options: `workers` (pool size, default 1-2), `languages` (default ['eng']; each needs
 * `@tesseract.js-data/<code>` installed).
 */
export const localOcrProvider: ProviderDefinition = {
  kind: 'local-ocr',
  defaultModelPatterns: [LOCAL_OCR_MODEL],
  worksWithoutKey: true,
  defaultModels: [LOCAL_OCR_MODEL],
  create(backend, context) {
    const engine = createTesseractEngine(parseLocalOcrOptions(backend.options), context.logger);
    return new LocalOcrAdapter(backend.name, engine, backend.timeoutMs);
  },
};

export { LocalOcrAdapter, LOCAL_OCR_MODEL } from './local-ocr.adapter';
export type { OcrEngine } from './tesseract-engine';
