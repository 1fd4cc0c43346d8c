import {
  attachPreparedImage,
  GatewayError,
  type ChatCompletionContentPartImage,
  type ChatCompletionMessageParam,
} from '@app/core';
import {
  convertToGeminiContents,
  SKIP_THOUGHT_SIGNATURE,
  toolResponseObject,
} from './convert-to-gemini-contents';
import { parseGeminiModelOptions } from './gemini-options';
import { newToolCallId } from './tool-call-id';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');
const JPEG = Buffer.from('ffd8ffe000104a464946', 'hex').toString('base64');
const GIF = Buffer.from('474946383961010001000000', 'hex').toString('base64');
const options = parseGeminiModelOptions('gemini-2.5-flash');
const gemini3 = parseGeminiModelOptions('gemini-3-pro-preview');

function convert(messages: ChatCompletionMessageParam[], modelOptions = options) {
  return convertToGeminiContents(messages, modelOptions);
}

function expect400(run: () => unknown, param: string): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(GatewayError);
  expect(caught).toMatchObject({ status: 400, param });
}

describe('convertToGeminiContents', () => {
  it('system and developer messages (all, in order) → systemInstruction; roles user/model', () => {
    const result = convert([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
      { role: 'assistant', content: 'Salut' },
    ]);
    expect(result.systemInstruction).toEqual({
      parts: [{ text: 'Be brief.' }, { text: 'Answer in French.' }],
    });
    expect(result.contents).toEqual([
      { role: 'user', parts: [{ text: 'Hi' }] },
      { role: 'model', parts: [{ text: 'Salut' }] },
    ]);
  });

  it('merges consecutive turns of the same role', () => {
    const result = convert([
      { role: 'user', content: 'a' },
      { role: 'user', content: 'b' },
      { role: 'assistant', content: 'c' },
      { role: 'assistant', content: 'd' },
    ]);
    expect(result.contents).toEqual([
      { role: 'user', parts: [{ text: 'a' }, { text: 'b' }] },
      { role: 'model', parts: [{ text: 'c' }, { text: 'd' }] },
    ]);
  });

  it.each([
    ['png', PNG, 'image/png'],
    ['jpeg', JPEG, 'image/jpeg'],
  ])(
    'inline %s image → inlineData with MIME type from the bytes and pure base64',
    (_name, data, mimeType) => {
      const result = convert([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: `data:image/whatever;base64,${data}` } },
          ],
        },
      ]);
      expect(result.contents[0].parts).toEqual([
        { text: 'What is this?' },
        { inlineData: { mimeType, data } },
      ]);
    },
  );

  it('uses the image layer result when attached (never the raw URL)', () => {
    const part: ChatCompletionContentPartImage = {
      type: 'image_url',
      image_url: { url: 'https://example.com/cat.gif', detail: 'low' },
    };
    attachPreparedImage(part, { source: 'base64', mediaType: 'image/png', data: PNG });
    const result = convert([{ role: 'user', content: [part] }]);
    expect(result.contents[0].parts).toEqual([{ inlineData: { mimeType: 'image/png', data: PNG } }]);
    expect(result.imageDetails).toEqual(['low']);
  });

  it('GIF that reached the adapter → 400 before any upstream call', () => {
    expect400(
      () =>
        convert([
          {
            role: 'user',
            content: [{ type: 'image_url', image_url: { url: `data:image/gif;base64,${GIF}` } }],
          },
        ]),
      'messages[0].content[0].image_url.url',
    );
  });

  it.each([
    [
      'https://example.com/a/cat.png?x=1',
      { fileUri: 'https://example.com/a/cat.png?x=1', mimeType: 'image/png' },
    ],
    ['https://example.com/photo.JPG', { fileUri: 'https://example.com/photo.JPG', mimeType: 'image/jpeg' }],
    ['https://example.com/image', { fileUri: 'https://example.com/image' }],
  ])('URL %s → fileData when the model accepts URLs', (url, fileData) => {
    const result = convert(
      [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }],
      parseGeminiModelOptions('m', { acceptsImageUrls: true }),
    );
    expect(result.contents[0].parts).toEqual([{ fileData }]);
  });

  it('URL for a model that cannot fetch → 400', () => {
    expect400(
      () =>
        convert([
          {
            role: 'user',
            content: [
              { type: 'text', text: 'x' },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
            ],
          },
        ]),
      'messages[0].content[1].image_url.url',
    );
  });

  it.each([
    ['input_audio', { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }],
    ['file', { type: 'file', file: { file_id: 'f' } }],
  ])('%s parts → 400', (_name, part) => {
    expect400(
      () => convert([{ role: 'user', content: [part] } as ChatCompletionMessageParam]),
      'messages[0].content[0].type',
    );
  });

  it('tool calls → functionCall parts; tool results → functionResponse named from the call, in call order, one turn', () => {
    const result = convert([
      { role: 'user', content: 'Weather in Paris and Rome?' },
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
      { role: 'tool', tool_call_id: 'call_2', content: '12:00' },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temperature":21}' },
      { role: 'user', content: 'Thanks' },
    ]);
    expect(result.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
          { functionCall: { name: 'get_time', args: {} } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { temperature: 21 } } },
          { functionResponse: { name: 'get_time', response: { content: '12:00' } } },
          { text: 'Thanks' },
        ],
      },
    ]);
  });

  it('assistant text before its tool calls stays first', () => {
    const result = convert([
      { role: 'user', content: 'q' },
      {
        role: 'assistant',
        content: 'Let me check.',
        tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
    ]);
    expect(result.contents[1].parts).toEqual([
      { text: 'Let me check.' },
      { functionCall: { name: 'f', args: {} } },
    ]);
  });

  it.each([
    [
      'unknown tool_call_id',
      [
        { role: 'user', content: 'q' },
        { role: 'tool', tool_call_id: 'nope', content: 'x' },
      ],
      'messages[1].tool_call_id',
    ],
    [
      'invalid arguments JSON',
      [
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{bad' } }],
        },
      ],
      'messages[1].tool_calls[0].function.arguments',
    ],
    [
      'array arguments',
      [
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '[1]' } }],
        },
      ],
      'messages[1].tool_calls[0].function.arguments',
    ],
    ['only system messages', [{ role: 'system', content: 's' }], 'messages'],
  ])('%s → 400', (_name, messages, param) => {
    expect400(() => convert(messages as ChatCompletionMessageParam[]), param);
  });

  it('thought signature round trip: the id carries it back onto the functionCall part (Gemini 3)', () => {
    const signature = 'CiQBjz1rX8wzAbCd+/==';
    const id = newToolCallId(signature);
    const result = convert(
      [
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id, type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: id, content: 'ok' },
      ],
      gemini3,
    );
    expect(Buffer.from(result.contents[1].parts![0].thoughtSignature!, 'base64')).toEqual(
      Buffer.from(signature, 'base64'),
    );
    expect(result.contents[2].parts).toEqual([
      { functionResponse: { name: 'f', response: { content: 'ok' } } },
    ]);
  });

  it("Gemini 3 history without signatures gets Google's documented placeholder on the first call only", () => {
    const result = convert(
      [
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } },
            { id: 'b', type: 'function', function: { name: 'g', arguments: '{}' } },
          ],
        },
      ],
      gemini3,
    );
    expect(result.contents[1].parts!.map((part) => part.thoughtSignature)).toEqual([
      SKIP_THOUGHT_SIGNATURE,
      undefined,
    ]);
  });

  it('older models never get signatures', () => {
    const id = newToolCallId('CiQB');
    const result = convert([
      { role: 'user', content: 'q' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id, type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
    ]);
    expect(result.contents[1].parts![0].thoughtSignature).toBeUndefined();
  });

  it('message names are dropped and reported', () => {
    expect(convert([{ role: 'user', content: 'x', name: 'bob' }]).droppedParameters).toEqual([
      'messages[].name',
    ]);
  });
});

describe('toolResponseObject', () => {
  it.each([
    ['{"a":1}', { a: 1 }],
    ['[1,2]', { content: [1, 2] }],
    ['42', { content: 42 }],
    ['plain text', { content: 'plain text' }],
    ['', { content: '' }],
  ])('%s', (text, expected) => {
    expect(toolResponseObject(text)).toEqual(expected);
  });
});
