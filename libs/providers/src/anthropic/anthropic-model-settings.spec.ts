import { GLOBAL_MAX_OUTPUT_TOKENS, resolveAnthropicModelSettings } from './anthropic-model-settings';

describe('resolveAnthropicModelSettings', () => {
  it.each([
    ['claude-3-haiku-20240307', 4096, 'tool', false],
    ['claude-3-5-sonnet-20241022', 8192, 'tool', false],
    ['claude-3-7-sonnet-latest', 64000, 'tool', 'budget'],
    ['claude-opus-4-1', 32000, 'tool', 'budget'],
    ['claude-sonnet-4-0', 64000, 'tool', 'budget'],
    ['claude-sonnet-4-5', 64000, 'native', 'budget'],
    ['claude-opus-4-8', 64000, 'native', 'budget'],
    ['claude-opus-4-6', 64000, 'native', 'adaptive'],
    ['claude-haiku-4-5-20251001', 64000, 'native', 'budget'],
    ['claude-sonnet-5-5', 64000, 'native', 'budget'],
    ['some-proxy-model', GLOBAL_MAX_OUTPUT_TOKENS, 'native', 'budget'],
  ])('family defaults for %s', (model, maxOutputTokens, structuredOutputs, thinking) => {
    expect(resolveAnthropicModelSettings(model)).toEqual({
      maxOutputTokens,
      sampling: true,
      structuredOutputs,
      thinking,
    });
  });

  it.each([
    [{ maxOutputTokens: 1000 }, { maxOutputTokens: 1000 }],
    [{ sampling: false }, { sampling: false }],
    [{ structuredOutputs: 'tool' }, { structuredOutputs: 'tool' }],
    [{ thinking: false }, { thinking: false }],
    [{ thinking: true }, { thinking: 'budget' }],
    [{ thinking: 'adaptive' }, { thinking: 'adaptive' }],
  ])('config %j overrides the family default', (raw, expected) => {
    expect(resolveAnthropicModelSettings('claude-sonnet-4-5', raw)).toMatchObject(expected);
  });

  it.each([
    [{ maxOutputTokens: 0 }, /maxOutputTokens/],
    [{ maxOutputTokens: 1.5 }, /maxOutputTokens/],
    [{ sampling: 'no' }, /sampling/],
    [{ structuredOutputs: 'json' }, /structuredOutputs/],
    [{ thinking: 'always' }, /thinking/],
    [{ maxTokens: 5 }, /Unknown Claude model option 'maxTokens'/],
  ])('rejects %j', (raw, message) => {
    expect(() => resolveAnthropicModelSettings('claude-sonnet-4-5', raw)).toThrow(message);
  });
});
