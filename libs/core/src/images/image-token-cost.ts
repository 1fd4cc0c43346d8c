export type ImageDetail = 'low' | 'high' | 'auto';

/**
 * An image's prompt-token cost by OpenAI's published rule for GPT-4o-class models: `low` is a flat 85; `high` and
 * `auto` fit the image within 2048×2048, then scale it so the shortest side is 768 px (never upscaling), and
 * charge 170 per 512-px tile plus 85. Used for estimates (budgets, rate limits); the usage returned to the
 * client stays the provider's.
 * @see https://platform.openai.com/docs/guides/images-vision#calculating-costs
 */
export function imageTokenCost(width: number, height: number, detail: ImageDetail = 'auto'): number {
  if (detail === 'low') return 85;
  if (!(width > 0 && height > 0)) return 85;
  let scaledWidth = width;
  let scaledHeight = height;
  const fitScale = Math.min(1, 2048 / Math.max(scaledWidth, scaledHeight));
  scaledWidth *= fitScale;
  scaledHeight *= fitScale;
  const shortScale = Math.min(1, 768 / Math.min(scaledWidth, scaledHeight));
  scaledWidth *= shortScale;
  scaledHeight *= shortScale;
  const tiles = Math.ceil(Math.round(scaledWidth) / 512) * Math.ceil(Math.round(scaledHeight) / 512);
  return 170 * tiles + 85;
}
