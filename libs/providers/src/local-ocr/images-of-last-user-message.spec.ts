import type { ChatRequest } from '@app/core';
import { imagesOfLastUserMessage } from './images-of-last-user-message';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const image = (url: string) => ({ type: 'image_url' as const, image_url: { url } });
const dataUri = `data:image/png;base64,${PNG.toString('base64')}`;

describe('imagesOfLastUserMessage', () => {
  it('reads every image of the last user message, with its path', () => {
    const request: ChatRequest = {
      model: 'local-ocr',
      messages: [
        { role: 'user', content: [image(dataUri)] },
        { role: 'assistant', content: 'done' },
        { role: 'user', content: [{ type: 'text', text: 'and these?' }, image(dataUri), image(dataUri)] },
      ],
    };
    const images = imagesOfLastUserMessage(request);
    expect(images.map((found) => found.param)).toEqual(['messages[2].content[1]', 'messages[2].content[2]']);
    expect(images[0].bytes.equals(PNG)).toBe(true);
  });

  it.each<[string, ChatRequest['messages']]>([
    ['text only', [{ role: 'user', content: 'hello' }]],
    [
      'image only in an earlier turn',
      [
        { role: 'user', content: [image(dataUri)] },
        { role: 'user', content: 'again' },
      ],
    ],
    ['no user message', [{ role: 'system', content: 'x' }]],
  ])('answers 400 no_image for %s', (_name, messages) => {
    expect(() => imagesOfLastUserMessage({ model: 'local-ocr', messages })).toThrow(
      expect.objectContaining({ status: 400, code: 'no_image', param: 'messages' }),
    );
  });

  it('refuses a URL the image layer should have inlined', () => {
    const messages: ChatRequest['messages'] = [
      { role: 'user', content: [image('https://example.com/a.png')] },
    ];
    expect(() => imagesOfLastUserMessage({ model: 'local-ocr', messages })).toThrow(
      expect.objectContaining({ status: 400, param: 'messages[0].content[0].image_url.url' }),
    );
  });
});
