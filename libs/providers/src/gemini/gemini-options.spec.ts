import { geminiImageRules, parseGeminiModelOptions } from './gemini-options';

describe('parseGeminiModelOptions', () => {
  it.each([
    [
      'defaults',
      'gemini-2.5-flash',
      {},
      {
        acceptsImageUrls: false,
        mediaResolution: false,
        thoughtSignatures: false,
        defaultMaxTokens: undefined,
      },
    ],
    [
      'gemini 3 sends thought signatures',
      'gemini-3-pro-preview',
      {},
      {
        acceptsImageUrls: false,
        mediaResolution: false,
        thoughtSignatures: true,
        defaultMaxTokens: undefined,
      },
    ],
    [
      'explicit',
      'm',
      { acceptsImageUrls: true, mediaResolution: true, thoughtSignatures: true, defaultMaxTokens: 100 },
      { acceptsImageUrls: true, mediaResolution: true, thoughtSignatures: true, defaultMaxTokens: 100 },
    ],
  ])('%s', (_name, model, options, expected) => {
    expect(parseGeminiModelOptions(model, options)).toEqual(expected);
  });

  it.each([
    [{ acceptsImageUrls: 'yes' }],
    [{ defaultMaxTokens: -1 }],
    [{ defaultMaxTokens: 1.5 }],
    [{ unknownThing: 1 }],
  ])('rejects %j', (options) => {
    expect(() => parseGeminiModelOptions('m', options)).toThrow(/Gemini|must be/);
  });
});

describe('geminiImageRules', () => {
  it('png/jpeg/webp only (GIF is converted by the image layer), 20 MB, URLs per model', () => {
    expect(geminiImageRules(parseGeminiModelOptions('m', {}))).toEqual({
      acceptsImageUrls: false,
      acceptedMediaTypes: ['image/png', 'image/jpeg', 'image/webp'],
      maxImageBytes: 20 * 1024 * 1024,
    });
    expect(geminiImageRules(parseGeminiModelOptions('m', { acceptsImageUrls: true })).acceptsImageUrls).toBe(
      true,
    );
  });
});
