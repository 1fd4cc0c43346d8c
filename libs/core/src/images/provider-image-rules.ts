export type ImageMediaType = 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif';

/** What a backend accepts; the image layer fits every image to these before the adapter sees it. */
export interface ProviderImageRules {
  /** Whether this backend (for this model) fetches http(s) image URLs itself; otherwise the gateway fetches and inlines. */
  acceptsImageUrls: boolean;
  /** Formats sent as they are; anything else supported is converted (e.g. GIF → PNG for Gemini). */
  acceptedMediaTypes: readonly ImageMediaType[];
  /** Largest decoded image the backend takes, in bytes; bigger images are recompressed/downscaled. */
  maxImageBytes?: number;
  /**
   * Longest base64 string the backend takes (Anthropic's "5 MB" counts the base64 form: 5 MiB of base64 is
   * 3.75 MiB of bytes); bigger images are recompressed/downscaled like for `maxImageBytes`.
   */
  maxBase64Length?: number;
  /** Longest side in pixels; bigger images are downscaled. */
  maxImageSide?: number;
  /**
   * A tighter side limit when a request carries many images (Claude: more than 20 images → 2000 px).
   * @see https://docs.claude.com/en/docs/build-with-claude/vision
   */
  manyImages?: { moreThan: number; maxImageSide: number };
}

export const ALL_IMAGE_MEDIA_TYPES: readonly ImageMediaType[] = [
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/gif',
];

/** OpenAI and compatible servers: take everything as sent, fetch URLs themselves. */
export const PASS_THROUGH_IMAGE_RULES: ProviderImageRules = {
  acceptsImageUrls: true,
  acceptedMediaTypes: ALL_IMAGE_MEDIA_TYPES,
};
