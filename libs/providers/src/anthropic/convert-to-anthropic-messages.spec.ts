import {
  attachPreparedImage,
  type ChatCompletionContentPartImage,
  type ChatCompletionMessageParam,
} from '@app/core';
import { convertToAnthropicMessages } from './convert-to-anthropic-messages';

const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const JPEG_BASE64 = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]).toString('base64');

const convert = (messages: unknown[]) => convertToAnthropicMessages(messages as ChatCompletionMessageParam[]);

describe('convertToAnthropicMessages', () => {
  it('every system and developer message, wherever it stands, goes to top-level system in order', () => {
    const prompt = convert([
      { role: 'system', content: 'one' },
      { role: 'user', content: 'hi' },
      { role: 'developer', content: [{ type: 'text', text: 'two' }] },
      { role: 'assistant', content: 'hello' },
      { role: 'system', content: '   ' },
      { role: 'user', content: 'again' },
    ]);
    expect(prompt.system).toEqual([
      { type: 'text', text: 'one' },
      { type: 'text', text: 'two' },
    ]);
    expect(prompt.messages.map((turn) => turn.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('merges consecutive same-role turns and never sends an empty text block', () => {
    const prompt = convert([
      { role: 'user', content: 'a' },
      {
        role: 'user',
        content: [
          { type: 'text', text: '' },
          { type: 'text', text: 'b' },
        ],
      },
      { role: 'assistant', content: '' },
      { role: 'assistant', content: 'c' },
    ]);
    expect(prompt.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'c' }] },
    ]);
  });

  it.each([
    [
      'data URI PNG',
      `data:image/png;base64,${PNG_BASE64}`,
      { type: 'base64', media_type: 'image/png', data: PNG_BASE64 },
    ],
    [
      'data URI labelled png but JPEG bytes',
      `data:image/png;base64,${JPEG_BASE64}`,
      { type: 'base64', media_type: 'image/jpeg', data: JPEG_BASE64 },
    ],
    ['https URL', 'https://example.com/cat.png', { type: 'url', url: 'https://example.com/cat.png' }],
  ])('image part: %s', (_, url, source) => {
    const prompt = convert([
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url, detail: 'high' } },
          { type: 'text', text: 'what?' },
        ],
      },
    ]);
    expect(prompt.messages[0].content).toEqual([
      { type: 'image', source },
      { type: 'text', text: 'what?' },
    ]);
  });

  it('uses the image layer result when it ran', () => {
    const part: ChatCompletionContentPartImage = {
      type: 'image_url',
      image_url: { url: 'https://example.com/big.png' },
    };
    attachPreparedImage(part, { source: 'base64', mediaType: 'image/webp', data: 'UklGRg==' });
    const prompt = convert([{ role: 'user', content: [part] }]);
    expect(prompt.messages[0].content).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'UklGRg==' } },
    ]);
  });

  it('image errors name the part', () => {
    expect(() =>
      convert([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'x' },
            { type: 'image_url', image_url: { url: 'ftp://x' } },
          ],
        },
      ]),
    ).toThrow(expect.objectContaining({ status: 400, param: 'messages[0].content[1].image_url.url' }));
  });

  it('assistant tool_calls → tool_use; tool messages → tool_result blocks in one user turn, in order', () => {
    const prompt = convert([
      { role: 'user', content: 'weather in Paris and Tokyo?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
          { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      {
        role: 'tool',
        tool_call_id: 'call_2',
        content: [
          { type: 'text', text: '12:00' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
        ],
      },
      { role: 'user', content: 'thanks' },
    ]);
    expect(prompt.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'weather in Paris and Tokyo?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'get_time', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: 'sunny' },
          {
            type: 'tool_result',
            tool_use_id: 'call_2',
            content: [
              { type: 'text', text: '12:00' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
            ],
          },
          { type: 'text', text: 'thanks' },
        ],
      },
    ]);
  });

  it.each([
    [
      'unparsable arguments',
      [
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{oops' } }],
        },
      ],
      'messages[1].tool_calls[0].function.arguments',
    ],
    [
      'tool result for an unknown call',
      [
        { role: 'user', content: 'q' },
        { role: 'tool', tool_call_id: 'nope', content: 'x' },
      ],
      'messages[1].tool_call_id',
    ],
    [
      'tool call without a result',
      [
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        { role: 'user', content: 'next' },
      ],
      'messages[1].tool_calls[0]',
    ],
    ['conversation starting with assistant', [{ role: 'assistant', content: 'hi' }], 'messages'],
    ['only system messages', [{ role: 'system', content: 'rules' }], 'messages'],
    [
      'audio input',
      [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: '', format: 'wav' } }] }],
      'messages[0].content[0].type',
    ],
    [
      'legacy function role',
      [
        { role: 'user', content: 'q' },
        { role: 'function', name: 'f', content: 'x' },
      ],
      'messages[1].role',
    ],
  ])('400: %s', (_, messages, param) => {
    expect(() => convert(messages)).toThrow(expect.objectContaining({ status: 400, param }));
  });

  it('trims trailing whitespace of a final assistant prefill, reports message names', () => {
    const prompt = convert([
      { role: 'user', content: 'q', name: 'alice' },
      { role: 'assistant', content: 'The answer is ' },
    ]);
    expect(prompt.messages[1].content).toEqual([{ type: 'text', text: 'The answer is' }]);
    expect(prompt.droppedParameters).toEqual(['messages[].name']);
  });
});
