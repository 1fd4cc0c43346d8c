import type { Message } from '@anthropic-ai/sdk/resources/messages/messages';
import { convertAnthropicResponse } from './convert-anthropic-response';

function message(
  content: unknown[],
  stopReason: string,
  usage: Record<string, number> = { input_tokens: 10, output_tokens: 5 },
): Message {
  return {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-x',
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage,
  } as unknown as Message;
}
const context = { model: 'claude-x', created: 1700000000 };

describe('convertAnthropicResponse', () => {
  it('text joined; refusal and logprobs null; usage with cache', () => {
    const completion = convertAnthropicResponse(
      [
        message(
          [
            { type: 'text', text: 'Hello' },
            { type: 'text', text: ' world' },
          ],
          'end_turn',
          { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 90, cache_creation_input_tokens: 3 },
        ),
      ],
      context,
    );
    expect(completion).toEqual({
      id: 'chatcmpl-msg_1',
      object: 'chat.completion',
      created: 1700000000,
      model: 'claude-x',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello world', refusal: null },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: 103,
        completion_tokens: 5,
        total_tokens: 108,
        prompt_tokens_details: { cached_tokens: 90 },
      },
    });
  });

  it('tool_use → tool_calls with JSON-string arguments; content null without text', () => {
    const completion = convertAnthropicResponse(
      [
        message(
          [
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_2', name: 'now', input: {} },
          ],
          'tool_use',
        ),
      ],
      context,
    );
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        refusal: null,
        tool_calls: [
          {
            id: 'toolu_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
          { id: 'toolu_2', type: 'function', function: { name: 'now', arguments: '{}' } },
        ],
      },
      finish_reason: 'tool_calls',
      logprobs: null,
    });
  });

  it('thinking → reasoning_content; redacted thinking skipped', () => {
    const completion = convertAnthropicResponse(
      [
        message(
          [
            { type: 'thinking', thinking: 'hmm', signature: 'sig' },
            { type: 'redacted_thinking', data: 'xx' },
            { type: 'text', text: '42' },
          ],
          'end_turn',
        ),
      ],
      context,
    );
    expect(completion.choices[0].message).toEqual({
      role: 'assistant',
      content: '42',
      refusal: null,
      reasoning_content: 'hmm',
    });
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['refusal', 'content_filter'],
    ['pause_turn', 'stop'],
  ])('stop_reason %s → %s', (reason, finish) => {
    expect(
      convertAnthropicResponse([message([{ type: 'text', text: 'x' }], reason)], context).choices[0]
        .finish_reason,
    ).toBe(finish);
  });

  it('logs an unmapped stop_reason', () => {
    const warn = jest.fn();
    const logger = { warn, info: jest.fn(), debug: jest.fn(), error: jest.fn() };
    convertAnthropicResponse([message([], 'pause_turn')], { ...context, logger });
    expect(warn).toHaveBeenCalledWith({ stopReason: 'pause_turn' }, 'unmapped Claude stop_reason');
  });

  it('structured-output tool input becomes content with finish stop', () => {
    const completion = convertAnthropicResponse(
      [
        message(
          [
            { type: 'text', text: 'Here:' },
            { type: 'tool_use', id: 't', name: 'json_response', input: { answer: 'yes' } },
          ],
          'tool_use',
        ),
      ],
      { ...context, structuredOutputTool: 'json_response' },
    );
    expect(completion.choices[0].message).toEqual({
      role: 'assistant',
      content: '{"answer":"yes"}',
      refusal: null,
    });
    expect(completion.choices[0].finish_reason).toBe('stop');
  });

  it('n messages → n choices, usage summed', () => {
    const completion = convertAnthropicResponse(
      [
        message([{ type: 'text', text: 'a' }], 'end_turn'),
        message([{ type: 'text', text: 'b' }], 'max_tokens'),
      ],
      context,
    );
    expect(
      completion.choices.map((choice) => [choice.index, choice.message.content, choice.finish_reason]),
    ).toEqual([
      [0, 'a', 'stop'],
      [1, 'b', 'length'],
    ]);
    expect(completion.usage).toEqual({
      prompt_tokens: 20,
      completion_tokens: 10,
      total_tokens: 30,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });
});
