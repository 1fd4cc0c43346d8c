import { convertUsage } from './convert-usage';

describe('convertUsage', () => {
  it('renames the chat counts and keeps cached and reasoning tokens', () => {
    expect(
      convertUsage({
        prompt_tokens: 100,
        completion_tokens: 40,
        total_tokens: 140,
        prompt_tokens_details: { cached_tokens: 64 },
        completion_tokens_details: { reasoning_tokens: 12 },
      }),
    ).toEqual({
      input_tokens: 100,
      input_tokens_details: { cached_tokens: 64, cache_write_tokens: 0 },
      output_tokens: 40,
      output_tokens_details: { reasoning_tokens: 12 },
      total_tokens: 140,
    });
  });

  it('reports zero details when the backend gives none', () => {
    const usage = convertUsage({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 });
    expect(usage.input_tokens_details.cached_tokens).toBe(0);
    expect(usage.output_tokens_details.reasoning_tokens).toBe(0);
  });
});
