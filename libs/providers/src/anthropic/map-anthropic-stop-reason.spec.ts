import { mapAnthropicStopReason } from './map-anthropic-stop-reason';

describe('mapAnthropicStopReason', () => {
  it.each([
    ['end_turn', 'stop', true],
    ['stop_sequence', 'stop', true],
    ['max_tokens', 'length', true],
    ['model_context_window_exceeded', 'length', true],
    ['tool_use', 'tool_calls', true],
    ['refusal', 'content_filter', true],
    ['pause_turn', 'stop', false],
    ['something_new', 'stop', false],
    [null, 'stop', false],
  ])('%s → %s (known %s)', (reason, finishReason, known) => {
    expect(mapAnthropicStopReason(reason)).toEqual({ finishReason, known });
  });

  it('tool_use of the structured-output tool → stop', () => {
    expect(mapAnthropicStopReason('tool_use', { structuredOutput: true })).toEqual({
      finishReason: 'stop',
      known: true,
    });
  });
});
