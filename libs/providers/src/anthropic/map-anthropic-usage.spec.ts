import { mapAnthropicUsage, sumUsage } from './map-anthropic-usage';

describe('mapAnthropicUsage', () => {
  it.each([
    [{ input_tokens: 11, output_tokens: 6 }, 11, 6, 0],
    [
      { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 },
      130,
      5,
      100,
    ],
    [
      { input_tokens: 3, output_tokens: 1, cache_read_input_tokens: null, cache_creation_input_tokens: null },
      3,
      1,
      0,
    ],
    [{}, 0, 0, 0],
  ])('%j', (usage, prompt, completion, cached) => {
    expect(mapAnthropicUsage(usage)).toEqual({
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
      prompt_tokens_details: { cached_tokens: cached },
    });
  });

  it('sums parallel usages', () => {
    const one = mapAnthropicUsage({ input_tokens: 10, output_tokens: 2, cache_read_input_tokens: 4 });
    const two = mapAnthropicUsage({ input_tokens: 10, output_tokens: 3 });
    expect(sumUsage([one, two])).toEqual({
      prompt_tokens: 24,
      completion_tokens: 5,
      total_tokens: 29,
      prompt_tokens_details: { cached_tokens: 4 },
    });
  });
});
