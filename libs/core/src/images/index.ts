// The image layer's public surface (prepared-image and provider-image-rules are exported by core's index directly).
export {
  ImageLayer,
  type ImageAction,
  type ImagePreparationReport,
  type ImageReportEntry,
} from './image-layer';
export { DEFAULT_IMAGE_SETTINGS, type ImageSettings } from './image-settings';
export { imageTokenCost, type ImageDetail } from './image-token-cost';
export { readImageDimensions, type ImageDimensions } from './image-dimensions';
export { EXTRA_IMAGE_FORMATS, sniffImageType, type SniffedImageType } from './image-formats';
export { redactUrl } from './redact-url';
export type { SafeFetchHooks } from './safe-fetch';
