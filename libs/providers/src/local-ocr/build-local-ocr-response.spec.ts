import {
  applyLimits,
  estimateUsage,
  joinReadings,
  newAnswer,
  splitForStreaming,
  toChunks,
  toCompletion,
} from './build-local-ocr-response';

describe('joinReadings', () => {
  it.each([
    [['  Hello\n'], 'Hello'],
    [[''], '(no text recognised)'],
    [['one', ' '], '[Image 1]\none\n\n[Image 2]\n(no text recognised)'],
  ])('%j', (readings, expected) => {
    expect(joinReadings(readings)).toBe(expected);
  });
});

describe('applyLimits', () => {
  it.each([
    ['no limits', 'abcdef', {}, 'abcdef', 'stop'],
    ['stop sequence', 'total: 42\nEND\nrest', { stop: ['END'] }, 'total: 42\n', 'stop'],
    ['earliest of several stops', 'a-b+c', { stop: ['+', '-'] }, 'a', 'stop'],
    ['token limit (4 characters a token)', 'x'.repeat(30), { maxTokens: 5 }, 'x'.repeat(20), 'length'],
    ['stop before the limit', 'ab|' + 'x'.repeat(30), { stop: ['|'], maxTokens: 5 }, 'ab', 'stop'],
  ])('%s', (_name, text, limits, expected, finishReason) => {
    expect(applyLimits(text, { stop: [], ...limits })).toEqual({ text: expected, finishReason });
  });
});

describe('estimateUsage', () => {
  it.each([
    ['', 0],
    ['abcd', 1],
    ['abcde', 2],
  ])('%j → %i completion tokens, no prompt tokens', (text, tokens) => {
    expect(estimateUsage(text)).toEqual({
      prompt_tokens: 0,
      completion_tokens: tokens,
      total_tokens: tokens,
    });
  });
});

describe('splitForStreaming', () => {
  it.each([['one\ntwo\n\nthree'], ['x'.repeat(450)], ['']])('concatenates back to the text', (text) => {
    expect(splitForStreaming(text).join('')).toBe(text);
  });

  it('streams line by line', () => {
    expect(splitForStreaming('a\nb')).toEqual(['a\n', 'b']);
  });
});

describe('OpenAI shapes', () => {
  const answer = newAnswer('local-ocr', 'Hello\nIris', 'stop');

  it('builds a chat.completion', () => {
    expect(toCompletion(answer)).toEqual({
      id: answer.id,
      object: 'chat.completion',
      created: answer.created,
      model: 'local-ocr',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello\nIris', refusal: null },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 0, completion_tokens: 3, total_tokens: 3 },
    });
    expect(answer.id).toMatch(/^chatcmpl-[0-9a-f]{32}$/);
  });

  it('streams role, content, finish and a final usage chunk with choices: []', () => {
    const chunks = toChunks(answer);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta)).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Hello\n' },
      { content: 'Iris' },
      {},
      undefined,
    ]);
    expect(chunks[3].choices[0].finish_reason).toBe('stop');
    expect(chunks[4]).toMatchObject({ choices: [], usage: { completion_tokens: 3 } });
    expect(new Set(chunks.map((chunk) => chunk.id))).toEqual(new Set([answer.id]));
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
  });
});
