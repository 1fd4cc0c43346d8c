import type { ChatCompletionContentPartImage } from '../openai-types';
import { GatewayError } from '../gateway-error';
import type { ImageMediaType } from './provider-image-rules';
import type { Base64Data } from './base64-bytes';

/**
 * An image part after the image layer: either inline bytes (as pure base64, never re-encoded when the
 * backend takes them as they are) with the media type read from the bytes, or a URL the backend fetches.
 * `data` may be the request's own bytes (`Base64Bytes`): put it in a JSON body with `base64JsonText`,
 * decode it with `decodeBase64`.
 */
export type PreparedImage =
  | { source: 'base64'; mediaType: ImageMediaType; data: Base64Data; width?: number; height?: number }
  | { source: 'url'; url: string };

const PREPARED = Symbol('iris.preparedImage');
type PartWithPrepared = ChatCompletionContentPartImage & { [PREPARED]?: PreparedImage };

/** The image layer records its result on the part (a symbol key: never serialised, never sent upstream). */
export function attachPreparedImage(part: ChatCompletionContentPartImage, image: PreparedImage): void {
  Object.defineProperty(part, PREPARED, {
    value: image,
    enumerable: false,
    configurable: true,
    writable: true,
  });
}

/** The image layer's result for this part, or undefined when the layer did not run on it. */
export function preparedImageOf(part: ChatCompletionContentPartImage): PreparedImage | undefined {
  return (part as PartWithPrepared)[PREPARED];
}

/**
 * What adapters call for every `image_url` part. Returns the image layer's result when it ran; otherwise
 * reads a canonical `data:` URI (or passes an http(s) URL through) so converters work in unit tests too.
 * @param param the part's path for error messages, e.g. `messages[0].content[1].image_url.url`
 */
export function imageOfPart(part: ChatCompletionContentPartImage, param = 'image_url.url'): PreparedImage {
  const prepared = (part as PartWithPrepared)[PREPARED];
  if (prepared) return prepared;
  const url = typeof part.image_url === 'string' ? (part.image_url as string) : part.image_url?.url;
  if (typeof url !== 'string' || url.length === 0)
    throw GatewayError.invalidRequest('Image URL is missing.', param);
  if (/^https?:\/\//i.test(url)) return { source: 'url', url };
  const comma = url.indexOf(',');
  if (!url.startsWith('data:') || comma < 0 || !url.slice(0, comma).toLowerCase().endsWith(';base64')) {
    throw GatewayError.invalidRequest('Image URL must be an http(s) URL or a base64 data: URI.', param);
  }
  const data = url.slice(comma + 1);
  const mediaType = sniffImageMediaType(Buffer.from(data.slice(0, 64), 'base64'));
  if (!mediaType) {
    throw GatewayError.invalidRequest(
      'Unsupported image format: accepted formats are PNG, JPEG, WEBP and non-animated GIF.',
      param,
      'invalid_image_format',
    );
  }
  return { source: 'base64', mediaType, data };
}

/** The media type from the first bytes (magic numbers), or undefined when it is none of the four formats. */
export function sniffImageMediaType(head: Uint8Array): ImageMediaType | undefined {
  if (head.length >= 8 && head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47)
    return 'image/png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length >= 6 && head[0] === 0x47 && head[1] === 0x49 && head[2] === 0x46 && head[3] === 0x38)
    return 'image/gif';
  if (
    head.length >= 12 &&
    head[0] === 0x52 &&
    head[1] === 0x49 &&
    head[2] === 0x46 &&
    head[3] === 0x46 &&
    head[8] === 0x57 &&
    head[9] === 0x45 &&
    head[10] === 0x42 &&
    head[11] === 0x50
  )
    return 'image/webp';
  return undefined;
}
