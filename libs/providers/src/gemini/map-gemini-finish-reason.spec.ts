import { mapGeminiFinishReason } from './map-gemini-finish-reason';

describe('mapGeminiFinishReason', () => {
  it.each([
    ['STOP', false, 'stop', false],
    ['STOP', true, 'tool_calls', false],
    [undefined, false, 'stop', false],
    [undefined, true, 'tool_calls', false],
    ['FINISH_REASON_UNSPECIFIED', false, 'stop', false],
    ['MAX_TOKENS', false, 'length', false],
    ['MAX_TOKENS', true, 'length', false],
    ['SAFETY', false, 'content_filter', false],
    ['RECITATION', false, 'content_filter', false],
    ['BLOCKLIST', false, 'content_filter', false],
    ['PROHIBITED_CONTENT', false, 'content_filter', false],
    ['SPII', false, 'content_filter', false],
    ['IMAGE_SAFETY', false, 'content_filter', false],
    ['IMAGE_PROHIBITED_CONTENT', false, 'content_filter', false],
    ['IMAGE_RECITATION', false, 'content_filter', false],
    ['LANGUAGE', false, 'stop', true],
    ['OTHER', false, 'stop', true],
    ['MALFORMED_FUNCTION_CALL', false, 'stop', true],
    ['UNEXPECTED_TOOL_CALL', false, 'stop', true],
    ['TOO_MANY_TOOL_CALLS', true, 'tool_calls', true],
    ['SOMETHING_NEW', false, 'stop', true],
  ] as const)('%s (hasToolCalls=%s) → %s', (reason, hasToolCalls, expected, unmapped) => {
    expect(mapGeminiFinishReason(reason, hasToolCalls)).toEqual({ finishReason: expected, unmapped });
  });
});
