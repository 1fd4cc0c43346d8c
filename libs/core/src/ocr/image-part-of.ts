import type { ChatCompletionContentPartImage } from '../openai-types';
import type { PreparedImage } from '../images/prepared-image';
import { base64JsonText } from '../images/base64-bytes';

/**
 * An `image_url` part for an analysis request. Deliberately a plain data URI (or URL): the OCR model's own
 * image layer then fits it to that backend's rules, as for any other request.
 */
export function imagePartOf(image: PreparedImage): ChatCompletionContentPartImage {
  const url =
    image.source === 'base64' ? `data:${image.mediaType};base64,${base64JsonText(image.data)}` : image.url;
  return { type: 'image_url', image_url: { url } };
}
