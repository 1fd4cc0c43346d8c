import type { ChatCompletionChunk } from '@app/core';
import { ChatChunkJson } from './chat-chunk-json';

function chunk(
  delta: Record<string, unknown>,
  overrides: Record<string, unknown> = {},
  choice: Record<string, unknown> = {},
): ChatCompletionChunk {
  return {
    id: 'chatcmpl-msg_01XFDUDYJgAACzvnptvVoYEL',
    object: 'chat.completion.chunk',
    created: 1741569952,
    model: 'claude-sonnet-4-5',
    choices: [{ index: 0, delta, finish_reason: null, logprobs: null, ...choice }],
    ...overrides,
  } as ChatCompletionChunk;
}

function modelLast(value: ChatCompletionChunk): ChatCompletionChunk {
  const { model, ...rest } = value;
  return { ...rest, model };
}

/** Counts the calls of JSON.stringify on something other than a string: the template was not used. */
function objectStringifyCalls(run: () => void): number {
  const original = JSON.stringify;
  let calls = 0;
  const spy = jest.spyOn(JSON, 'stringify').mockImplementation((...args: Parameters<typeof original>) => {
    if (typeof args[0] !== 'string') calls++;
    return original(...args);
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return calls;
}

const TEXTS = [
  'Hello',
  '',
  ' wörld 👋',
  'quote " backslash \\ newline \n tab \t',
  '\u0000\u001f\u2028\u2029',
  '\ud800 lone surrogate',
  '</script>',
];

describe('ChatChunkJson', () => {
  it.each(TEXTS)('a text delta %j: exactly JSON.stringify, from the template', (text) => {
    const serializer = new ChatChunkJson();
    const value = chunk({ content: text });
    let written = '';
    expect(objectStringifyCalls(() => (written = serializer.write(value)))).toBe(0);
    expect(written).toBe(JSON.stringify(value));
  });

  it('with usage: null (stream_options.include_usage) from the template too', () => {
    const value = chunk({ content: 'x' }, { usage: null });
    let written = '';
    expect(objectStringifyCalls(() => (written = new ChatChunkJson().write(value)))).toBe(0);
    expect(written).toBe(JSON.stringify(value));
  });

  it('a usage: undefined key is left out, as JSON.stringify does', () => {
    const value = chunk({ content: 'x' }, { usage: undefined });
    expect(new ChatChunkJson().write(value)).toBe(JSON.stringify(value));
  });

  it('builds the start once per id, created and model, and again when one changes', () => {
    const serializer = new ChatChunkJson();
    for (const value of [
      chunk({ content: 'a' }),
      chunk({ content: 'b' }),
      chunk({ content: 'c' }, { model: 'other "model"' }),
      chunk({ content: 'd' }, { id: 'chatcmpl-2', created: 1.5 }),
      chunk({ content: 'e' }, {}, { index: 3 }),
    ])
      expect(serializer.write(value)).toBe(JSON.stringify(value));
  });

  it.each<[string, ChatCompletionChunk]>([
    ['the role chunk', chunk({ role: 'assistant', content: '' })],
    ['a finish chunk', chunk({}, {}, { finish_reason: 'stop' })],
    [
      'a usage chunk',
      { ...chunk({}), choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } },
    ],
    ['a tool call', chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] })],
    ['reasoning text', chunk({ reasoning_content: 'thinking' })],
    ['text with logprobs', chunk({ content: 'x' }, {}, { logprobs: { content: [], refusal: null } })],
    [
      'two choices',
      {
        ...chunk({ content: 'a' }),
        choices: [...chunk({ content: 'a' }).choices, ...chunk({ content: 'b' }).choices],
      },
    ],
    ['a passthrough key (system_fingerprint)', chunk({ content: 'x' }, { system_fingerprint: 'fp_1' })],
    ['keys in another order', modelLast(chunk({ content: 'x' }))],
    [
      'a choice with keys in another order',
      {
        ...chunk({}),
        choices: [{ index: 0, logprobs: null, finish_reason: null, delta: { content: 'x' } }],
      } as ChatCompletionChunk,
    ],
    ['content that is not a string', chunk({ content: null })],
    ['a created time that is not finite', chunk({ content: 'x' }, { created: Number.NaN })],
    ['an id that is not a string', chunk({ content: 'x' }, { id: 7 })],
  ])('%s: exactly JSON.stringify (not the template)', (_name, value) => {
    let written = '';
    expect(objectStringifyCalls(() => (written = new ChatChunkJson().write(value)))).toBeGreaterThan(0);
    expect(written).toBe(JSON.stringify(value));
  });
});
