import { imageTokenCost } from './image-token-cost';

describe('imageTokenCost (OpenAI rule)', () => {
  // The examples OpenAI publishes in its vision guide ("Calculating costs").
  it.each([
    [1024, 1024, 'high', 765], // 768×768 → 4 tiles
    [2048, 4096, 'high', 1105], // 1024×2048 → 768×1536 → 6 tiles
    [4096, 8192, 'low', 85],
  ] as const)('published example %i×%i detail %s costs %i', (width, height, detail, tokens) => {
    expect(imageTokenCost(width, height, detail)).toBe(tokens);
  });

  it.each([
    [512, 512, 'auto', 255], // no upscaling: 1 tile
    [513, 512, 'high', 425], // 2 tiles
    [100, 100, 'high', 255],
    [768, 768, 'auto', 765],
    [1920, 1080, 'auto', 1105], // 1365×768 → 3×2 tiles
    [8000, 100, 'high', 765], // 2048×26, shortest side already < 768 → 4×1 tiles
  ] as const)('%i×%i detail %s costs %i', (width, height, detail, tokens) => {
    expect(imageTokenCost(width, height, detail)).toBe(tokens);
  });

  it('low ignores the size', () => {
    expect(imageTokenCost(10000, 10000, 'low')).toBe(85);
  });
});
