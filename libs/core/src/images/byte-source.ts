import { base64Characters, type Base64Data } from './base64-bytes';

/**
 * Random access to an image's bytes without materialising all of them: header parsers read a few bytes here and
 * there (JPEG segment markers, GIF blocks), and a base64 payload is decoded one small window at a time.
 */
export interface ByteSource {
  /** Total decoded length in bytes. */
  readonly length: number;
  /** Up to `length` bytes from `offset` (fewer at the end). */
  read(offset: number, length: number): Uint8Array;
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  return {
    length: bytes.length,
    read: (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
  };
}

const DEFAULT_WINDOW_BYTES = 48 * 1024; // a multiple of 3: windows start on base64 quantum boundaries

/** Over standard padded base64 (as `normalizeBase64` returns it); `decodedBytes` from `decodedLength`. */
export function base64Source(
  base64: Base64Data,
  decodedBytes: number,
  windowBytes = DEFAULT_WINDOW_BYTES,
): ByteSource {
  let windowStart = 0;
  let window: Buffer = Buffer.alloc(0);
  return {
    length: decodedBytes,
    read(offset, length) {
      const end = Math.min(decodedBytes, offset + length);
      if (offset < windowStart || end > windowStart + window.length) {
        windowStart = Math.floor(offset / 3) * 3;
        const span = Math.max(windowBytes, Math.ceil((end - windowStart) / 3) * 3);
        const charStart = (windowStart / 3) * 4;
        const charEnd = Math.min(base64.length, charStart + (span / 3) * 4);
        window = Buffer.from(base64Characters(base64, charStart, charEnd), 'base64');
      }
      return window.subarray(offset - windowStart, end - windowStart);
    },
  };
}
