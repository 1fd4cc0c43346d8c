import type { Provider } from '@nestjs/common';
import { LruOcrCache, type OcrCache } from '@app/core';
import type { GatewayConfig } from '../config/gateway-config';
import { OCR_CACHE, OcrModeService } from './ocr-mode.service';

/** `ocr.cacheEntries: 0` turns the analysis cache off. */
const NO_CACHE: OcrCache = { get: () => undefined, set: () => undefined };

/**
 * OCR mode for the app module. Swap the store by overriding `OCR_CACHE` (any `OcrCache`, e.g. shared Redis).
 */
export function ocrModeProviders(config: GatewayConfig): Provider[] {
  return [
    {
      provide: OCR_CACHE,
      useValue:
        config.ocr.cacheEntries > 0 ? new LruOcrCache({ maxEntries: config.ocr.cacheEntries }) : NO_CACHE,
    },
    OcrModeService,
  ];
}
