import { mapGeminiUsage } from './map-gemini-usage';

describe('mapGeminiUsage', () => {
  it.each([
    [
      'text only',
      { promptTokenCount: 7, candidatesTokenCount: 5, totalTokenCount: 12 },
      { prompt_tokens: 7, completion_tokens: 5, total_tokens: 12 },
    ],
    [
      'prompt only (first streamed event)',
      { promptTokenCount: 7, totalTokenCount: 7 },
      { prompt_tokens: 7, completion_tokens: 0, total_tokens: 7 },
    ],
    [
      'thinking tokens count as completion and reasoning tokens',
      { promptTokenCount: 10, candidatesTokenCount: 4, thoughtsTokenCount: 20, totalTokenCount: 34 },
      {
        prompt_tokens: 10,
        completion_tokens: 24,
        total_tokens: 34,
        completion_tokens_details: { reasoning_tokens: 20 },
      },
    ],
    [
      'cached content tokens',
      { promptTokenCount: 100, cachedContentTokenCount: 80, candidatesTokenCount: 1, totalTokenCount: 101 },
      {
        prompt_tokens: 100,
        completion_tokens: 1,
        total_tokens: 101,
        prompt_tokens_details: { cached_tokens: 80 },
      },
    ],
    [
      'tool-use prompt tokens are prompt tokens',
      { promptTokenCount: 10, toolUsePromptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 17 },
      { prompt_tokens: 15, completion_tokens: 2, total_tokens: 17 },
    ],
    [
      'no total: computed',
      { promptTokenCount: 3, candidatesTokenCount: 2 },
      { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    ],
    ['empty', {}, { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }],
  ])('%s', (_name, usage, expected) => {
    expect(mapGeminiUsage(usage)).toEqual(expected);
  });
});
