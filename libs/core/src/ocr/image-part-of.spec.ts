import { imageOfPart } from '../images/prepared-image';
import { imagePartOf } from './image-part-of';

describe('imagePartOf', () => {
  it.each([
    [
      { source: 'base64' as const, mediaType: 'image/png' as const, data: 'iVBORw0KGgo=' },
      'data:image/png;base64,iVBORw0KGgo=',
    ],
    [{ source: 'url' as const, url: 'https://example.com/a.png' }, 'https://example.com/a.png'],
  ])('rebuilds a plain image_url part that reads back as the same image', (image, url) => {
    const part = imagePartOf(image);
    expect(part).toEqual({ type: 'image_url', image_url: { url } });
    expect(imageOfPart(part)).toEqual(image);
  });
});
