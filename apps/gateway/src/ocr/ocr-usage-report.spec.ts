import { addOcrUsage, ocrUsageHeader } from './ocr-usage-report';

describe('ocrUsageHeader', () => {
  it('sums up the analyses in one line', () => {
    expect(
      ocrUsageHeader({
        model: 'local-ocr',
        images: [
          { index: 1, param: 'messages[0].content[0]', model: 'local-ocr', cached: false },
          { index: 2, param: 'messages[0].content[1]', model: 'local-ocr', cached: true },
        ],
        usage: { prompt_tokens: 0, completion_tokens: 12, total_tokens: 12 },
      }),
    ).toBe('model=local-ocr; images=2; cached=1; prompt_tokens=0; completion_tokens=12; total_tokens=12');
  });
});

describe('addOcrUsage', () => {
  it.each([
    [
      'target and analyses',
      {
        prompt_tokens: 50,
        completion_tokens: 5,
        total_tokens: 55,
        prompt_tokens_details: { cached_tokens: 10 },
      },
      { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
      {
        prompt_tokens: 150,
        completion_tokens: 25,
        total_tokens: 175,
        prompt_tokens_details: { cached_tokens: 10 },
      },
    ],
    [
      'no target usage',
      undefined,
      { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
      { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    ],
  ])('%s', (_name, target, analyses, expected) => {
    expect(addOcrUsage(target, analyses)).toEqual(expected);
  });
});
