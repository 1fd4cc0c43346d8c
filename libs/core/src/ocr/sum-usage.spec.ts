import { sumUsage } from './sum-usage';

describe('sumUsage', () => {
  it.each([
    ['nothing', [], { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }],
    [
      'two calls and a cached one',
      [
        { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
        undefined,
        {
          prompt_tokens: 5,
          completion_tokens: 1,
          total_tokens: 6,
          prompt_tokens_details: { cached_tokens: 3 },
        },
      ],
      { prompt_tokens: 15, completion_tokens: 3, total_tokens: 18 },
    ],
  ])('%s', (_name, usages, expected) => {
    expect(sumUsage(usages)).toEqual(expected);
  });
});
