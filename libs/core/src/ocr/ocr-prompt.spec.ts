import type { ChatRequest } from '../provider-adapter';
import { buildOcrAnalysisPrompt, ocrLabel, userQuestionOf } from './ocr-prompt';

describe('buildOcrAnalysisPrompt', () => {
  it('asks for verbatim text and a faithful description and quotes the question', () => {
    const prompt = buildOcrAnalysisPrompt('What is the total on the invoice?');
    expect(prompt).toContain('ALL visible text verbatim');
    expect(prompt).toContain('describe faithfully');
    expect(prompt).toContain('What is the total on the invoice?');
  });

  it('asks for completeness when there is no question', () => {
    expect(buildOcrAnalysisPrompt('  ')).toContain('no specific question');
  });

  it('cuts very long questions', () => {
    const prompt = buildOcrAnalysisPrompt('q'.repeat(5000));
    expect(prompt).toContain('[…]');
    expect(prompt.length).toBeLessThan(3500);
  });
});

describe('userQuestionOf', () => {
  it.each<[string, ChatRequest['messages'], string]>([
    ['string content', [{ role: 'user', content: 'hello' }], 'hello'],
    [
      'text parts of the last user message',
      [
        { role: 'user', content: 'old question' },
        { role: 'assistant', content: 'answer' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'first' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
            { type: 'text', text: 'second' },
          ],
        },
      ],
      'first\nsecond',
    ],
    ['no user message', [{ role: 'system', content: 'be brief' }], ''],
  ])('%s', (_name, messages, expected) => {
    expect(userQuestionOf({ model: 'm', messages })).toBe(expected);
  });
});

describe('ocrLabel', () => {
  it.each([
    [1, 'local-ocr', ' Hello \n', '[Image 1 — analysed by local-ocr]: Hello'],
    [2, 'gpt-4o', '', '[Image 2 — analysed by gpt-4o]: (the analysis returned no text)'],
  ])('image %i by %s', (index, model, text, expected) => {
    expect(ocrLabel(index, model, text)).toBe(expected);
  });
});
