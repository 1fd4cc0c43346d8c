import { mapFinishReason } from './map-finish-reason';

describe('mapFinishReason', () => {
  it.each([
    ['stop', 'completed', null],
    ['tool_calls', 'completed', null],
    ['function_call', 'completed', null],
    [null, 'completed', null],
    ['length', 'incomplete', { reason: 'max_output_tokens' }],
    ['content_filter', 'incomplete', { reason: 'content_filter' }],
  ] as const)('maps %s to status %s with %j', (finishReason, status, details) => {
    expect(mapFinishReason(finishReason)).toEqual({ status, incompleteDetails: details });
  });
});
