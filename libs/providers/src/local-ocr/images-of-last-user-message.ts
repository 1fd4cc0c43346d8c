import {
  decodeBase64,
  GatewayError,
  imageOfPart,
  type ChatCompletionContentPartImage,
  type ChatRequest,
} from '@app/core';

export interface ImageToRead {
  bytes: Buffer;
  /** e.g. `messages[2].content[1]` */
  param: string;
}

/**
 * The images the engine reads: every image of the last user message (earlier turns were answered already).
 * No image → 400: a text reader has nothing to say about text alone.
 */
export function imagesOfLastUserMessage(request: ChatRequest): ImageToRead[] {
  let messageIndex = request.messages.length - 1;
  while (messageIndex >= 0 && request.messages[messageIndex].role !== 'user') messageIndex -= 1;
  const message = messageIndex >= 0 ? request.messages[messageIndex] : undefined;
  const images: ImageToRead[] = [];
  if (message && message.role === 'user' && typeof message.content !== 'string') {
    message.content.forEach((part, partIndex) => {
      if (part.type !== 'image_url') return;
      const param = `messages[${messageIndex}].content[${partIndex}]`;
      const image = imageOfPart(part as ChatCompletionContentPartImage, `${param}.image_url.url`);
      if (image.source !== 'base64') {
        // The image layer inlines URLs for this provider (acceptsImageUrls: false); reaching here is a bug.
        throw GatewayError.invalidRequest(
          'The local OCR engine reads inline images only.',
          `${param}.image_url.url`,
        );
      }
      images.push({ bytes: decodeBase64(image.data), param });
    });
  }
  if (images.length === 0) {
    throw GatewayError.invalidRequest(
      'The local-ocr model reads the text in images: the last user message has no image. Send an image_url part, or use ocr_model with a text model.',
      'messages',
      'no_image',
    );
  }
  return images;
}
