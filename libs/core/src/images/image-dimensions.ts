import { bufferSource, type ByteSource } from './byte-source';
import { sniffImageType, type SniffedImageType } from './image-formats';

export interface ImageDimensions {
  width: number;
  height: number;
}

/**
 * Width and height from the header bytes alone (PNG IHDR, JPEG SOF segment, WEBP VP8/VP8L/VP8X, GIF logical
 * screen), no decoding. Undefined when the header is not there (e.g. a JPEG whose SOF lies beyond `head`).
 */
export function readImageDimensions(head: Uint8Array): ImageDimensions | undefined {
  const type = sniffImageType(head);
  return type ? readDimensions(bufferSource(head), type) : undefined;
}

/** The same over a ByteSource: JPEG segments are skipped by their lengths, so only a few bytes are decoded. */
export function readDimensions(source: ByteSource, type: SniffedImageType): ImageDimensions | undefined {
  switch (type) {
    case 'image/png':
      return readPng(source.read(0, 24));
    case 'image/gif':
      return readGif(source.read(0, 10));
    case 'image/webp':
      return readWebp(source.read(0, 30));
    case 'image/jpeg':
      return readJpeg(source);
    default:
      return undefined;
  }
}

function valid(width: number, height: number): ImageDimensions | undefined {
  return width > 0 && height > 0 ? { width, height } : undefined;
}

function readPng(bytes: Uint8Array): ImageDimensions | undefined {
  if (bytes.length < 24 || String.fromCharCode(bytes[12], bytes[13], bytes[14], bytes[15]) !== 'IHDR')
    return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  return valid(view.getUint32(16), view.getUint32(20));
}

function readGif(bytes: Uint8Array): ImageDimensions | undefined {
  if (bytes.length < 10) return undefined;
  return valid(bytes[6] | (bytes[7] << 8), bytes[8] | (bytes[9] << 8));
}

/** @see https://developers.google.com/speed/webp/docs/riff_container */
function readWebp(bytes: Uint8Array): ImageDimensions | undefined {
  if (bytes.length < 30) return undefined;
  const chunk = String.fromCharCode(bytes[12], bytes[13], bytes[14], bytes[15]);
  if (chunk === 'VP8X') {
    const width = 1 + (bytes[24] | (bytes[25] << 8) | (bytes[26] << 16));
    const height = 1 + (bytes[27] | (bytes[28] << 8) | (bytes[29] << 16));
    return valid(width, height);
  }
  if (chunk === 'VP8L') {
    if (bytes[20] !== 0x2f) return undefined;
    const width = 1 + (((bytes[22] & 0x3f) << 8) | bytes[21]);
    const height = 1 + (((bytes[24] & 0x0f) << 10) | (bytes[23] << 2) | ((bytes[22] & 0xc0) >> 6));
    return valid(width, height);
  }
  if (chunk === 'VP8 ') {
    if (bytes[23] !== 0x9d || bytes[24] !== 0x01 || bytes[25] !== 0x2a) return undefined;
    return valid((bytes[26] | (bytes[27] << 8)) & 0x3fff, (bytes[28] | (bytes[29] << 8)) & 0x3fff);
  }
  return undefined;
}

/** SOF markers carry the frame size; DHT (C4), JPG (C8) and DAC (CC) share the range but do not. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

const MAX_JPEG_SEGMENTS = 1000;

function readJpeg(source: ByteSource): ImageDimensions | undefined {
  let offset = 2;
  for (let segment = 0; segment < MAX_JPEG_SEGMENTS && offset + 4 <= source.length; segment++) {
    const bytes = source.read(offset, 9);
    if (bytes[0] !== 0xff) return undefined;
    const marker = bytes[1];
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      offset += 2; // standalone markers
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image / start of scan before any SOF
    if (isStartOfFrame(marker)) {
      if (bytes.length < 9) return undefined;
      return valid((bytes[7] << 8) | bytes[8], (bytes[5] << 8) | bytes[6]);
    }
    const segmentLength = (bytes[2] << 8) | bytes[3];
    if (segmentLength < 2) return undefined;
    offset += 2 + segmentLength;
  }
  return undefined;
}
