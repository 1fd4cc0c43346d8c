import { parseAnthropicBackendOptions } from './anthropic-backend-options';

describe('parseAnthropicBackendOptions', () => {
  it.each([
    [{}, { inlineImageUrls: false }],
    [{ inlineImageUrls: true }, { inlineImageUrls: true }],
    [{ inlineImageUrls: false }, { inlineImageUrls: false }],
  ])('%j → %j', (raw, expected) => {
    expect(parseAnthropicBackendOptions(raw)).toEqual(expected);
  });

  it.each([[{ inlineImageUrls: 'yes' }], [{ unknownKey: 1 }]])('rejects %j', (raw) => {
    expect(() => parseAnthropicBackendOptions(raw)).toThrow(/Claude backend option/);
  });
});
