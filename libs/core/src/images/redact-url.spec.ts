import { redactUrl } from './redact-url';

describe('redactUrl', () => {
  it.each([
    [
      'https://bucket.s3.amazonaws.com/a.png?X-Amz-Signature=abc&X-Amz-Credential=AKIA',
      'https://bucket.s3.amazonaws.com/a.png?<redacted>',
    ],
    ['https://user:pass@example.com:8443/p/q.jpg#frag', 'https://example.com:8443/p/q.jpg'],
    ['http://example.com/', 'http://example.com/'],
    ['not a url', '<invalid URL>'],
  ])('%s → %s', (input, output) => {
    expect(redactUrl(input)).toBe(output);
  });

  it('cuts very long paths', () => {
    expect(redactUrl(`https://example.com/${'a'.repeat(500)}`).length).toBeLessThan(240);
  });
});
