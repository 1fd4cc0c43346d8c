import { planImageFit, type ImageFacts } from './plan-image-fit';
import { PASS_THROUGH_IMAGE_RULES, type ProviderImageRules } from './provider-image-rules';

const CLAUDE_LIKE: ProviderImageRules = {
  acceptsImageUrls: true,
  acceptedMediaTypes: ['image/png', 'image/jpeg', 'image/webp', 'image/gif'],
  maxBase64Length: 5 * 1024 * 1024,
  maxImageSide: 8000,
  manyImages: { moreThan: 20, maxImageSide: 2000 },
};
const GEMINI_LIKE: ProviderImageRules = {
  acceptsImageUrls: false,
  acceptedMediaTypes: ['image/png', 'image/jpeg', 'image/webp'],
  maxImageBytes: 20 * 1024 * 1024,
};
const png = (width: number, height: number, bytes = 1000): ImageFacts => ({
  type: 'image/png',
  animated: false,
  bytes,
  width,
  height,
});

describe('planImageFit', () => {
  it.each([
    ['small PNG, pass-through', png(800, 600), PASS_THROUGH_IMAGE_RULES, undefined, 1],
    ['small PNG, Claude', png(800, 600), CLAUDE_LIKE, 'high', 1],
    ['exactly 512 with detail low', png(512, 300), GEMINI_LIKE, 'low', 1],
    ['8000 px side on Claude (limit is inclusive)', png(8000, 10), CLAUDE_LIKE, 'auto', 1],
    ['2000 px with 21 images on Claude', png(2000, 2000), CLAUDE_LIKE, 'auto', 21],
    [
      'GIF on Claude',
      { type: 'image/gif', animated: false, bytes: 10, width: 5, height: 5 },
      CLAUDE_LIKE,
      'auto',
      1,
    ],
  ] as const)('%s → sent as it is', (_name, facts, rules, detail, count) => {
    expect(planImageFit(facts as ImageFacts, rules, detail, count)).toBeUndefined();
  });

  it.each([
    [
      'detail low on pass-through',
      png(1024, 768),
      PASS_THROUGH_IMAGE_RULES,
      'low',
      1,
      { outputType: 'image/png', maxSide: 512 },
    ],
    [
      'over the side limit',
      png(9000, 100),
      CLAUDE_LIKE,
      'high',
      1,
      { outputType: 'image/png', maxSide: 8000 },
    ],
    [
      'many images on Claude',
      png(3000, 100),
      CLAUDE_LIKE,
      'auto',
      21,
      { outputType: 'image/png', maxSide: 2000 },
    ],
    ['low detail beats the many-images limit', png(3000, 100), CLAUDE_LIKE, 'low', 25, { maxSide: 512 }],
    [
      'over Claude base64 limit (bytes)',
      png(100, 100, 4 * 1024 * 1024),
      CLAUDE_LIKE,
      'auto',
      1,
      {
        outputType: 'image/png',
        maxSide: undefined,
        maxBytes: 3 * 1024 * 1024 + 768 * 1024,
        lossyFallback: 'image/jpeg',
        lossyFallbackWithAlpha: 'image/webp',
      },
    ],
    [
      'GIF on Gemini → PNG',
      { type: 'image/gif', animated: false, bytes: 10, width: 5, height: 5 },
      GEMINI_LIKE,
      'auto',
      1,
      { outputType: 'image/png', maxSide: undefined },
    ],
    [
      'animated GIF (allowed as extra) on pass-through → PNG first frame',
      { type: 'image/gif', animated: true, bytes: 10, width: 5, height: 5 },
      PASS_THROUGH_IMAGE_RULES,
      'auto',
      1,
      { outputType: 'image/png' },
    ],
    [
      'TIFF (extra format) → PNG',
      { type: 'image/tiff', animated: false, bytes: 10 },
      PASS_THROUGH_IMAGE_RULES,
      'auto',
      1,
      { outputType: 'image/png' },
    ],
    [
      'JPEG over the side limit stays JPEG',
      { type: 'image/jpeg', animated: false, bytes: 10, width: 9000, height: 9000 },
      CLAUDE_LIKE,
      'auto',
      1,
      { outputType: 'image/jpeg', maxSide: 8000 },
    ],
    [
      'static GIF downscaled becomes PNG',
      { type: 'image/gif', animated: false, bytes: 10, width: 1000, height: 10 },
      CLAUDE_LIKE,
      'low',
      1,
      { outputType: 'image/png', maxSide: 512 },
    ],
  ] as const)('%s', (_name, facts, rules, detail, count, expected) => {
    const plan = planImageFit(facts as ImageFacts, rules, detail, count);
    expect(plan).toMatchObject(expected);
    expect(plan?.reasons.length).toBeGreaterThan(0);
  });

  it('without known dimensions a side limit still applies (resize never enlarges)', () => {
    const plan = planImageFit({ type: 'image/tiff', animated: false, bytes: 10 }, CLAUDE_LIKE, 'low', 1);
    expect(plan).toMatchObject({ maxSide: 512, outputType: 'image/png' });
  });
});
