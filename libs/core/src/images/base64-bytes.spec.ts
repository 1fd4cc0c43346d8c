import { randomBytes } from 'node:crypto';
import { ChunkedBytes } from '../http/chunked-bytes';
import {
  Base64Bytes,
  base64Characters,
  base64JsonText,
  decodeBase64,
  decodeBase64InTurns,
  decodedLength,
} from './base64-bytes';
import { splitInto } from './__fixtures__/sample-images';

describe('Base64Data (a string, or bytes of the request body)', () => {
  // Sizes around the 64 KiB decoding window and the 2 MiB turn, with 0, 1 and 2 padding characters.
  it.each([1, 2, 3, 48 * 1024, 48 * 1024 + 1, 48 * 1024 + 2, 1_600_000])(
    'decodes %i bytes the same from a string and from bytes, at once and over turns',
    async (size) => {
      const original = randomBytes(size);
      const text = original.toString('base64');
      // Chunks of an odd size: windows and padding fall across chunk boundaries.
      const bytes = new Base64Bytes(
        new ChunkedBytes(splitInto(Buffer.from(text, 'latin1'), 4099)),
        'placeholder',
      );
      expect(bytes.length).toBe(text.length);
      expect(decodedLength(text)).toBe(size);
      expect(decodedLength(bytes)).toBe(size);
      expect(decodeBase64(text).equals(original)).toBe(true);
      expect(decodeBase64(bytes).equals(original)).toBe(true);
      expect((await decodeBase64InTurns(bytes)).equals(original)).toBe(true);
      expect((await decodeBase64InTurns(text)).equals(original)).toBe(true);
    },
  );

  it('gives characters as a small string from either form', () => {
    const text = 'iVBORw0KGgoAAAANSUhEUg==';
    const bytes = new Base64Bytes(new ChunkedBytes(splitInto(Buffer.from(text, 'latin1'), 3)), 'placeholder');
    expect(base64Characters(text, 2, 10)).toBe('BORw0KGg');
    expect(base64Characters(bytes, 2, 10)).toBe('BORw0KGg');
    expect(bytes.length).toBe(text.length);
  });

  it('stands in JSON as the string itself, or as the placeholder of the bytes', () => {
    expect(base64JsonText('QUJD')).toBe('QUJD');
    expect(base64JsonText(new Base64Bytes(new ChunkedBytes([Buffer.from('QUJD')]), 'iris-x-1'))).toBe(
      'iris-x-1',
    );
  });

  it('spreads a multi-megabyte decode over turns of the event loop', async () => {
    const text = randomBytes(6 * 1024 * 1024).toString('base64');
    const bytes = new Base64Bytes(
      new ChunkedBytes(splitInto(Buffer.from(text, 'latin1'), 65536)),
      'placeholder',
    );
    const immediateTurns: number[] = [];
    const probe = (): void => {
      immediateTurns.push(1);
      if (immediateTurns.length < 1000) setImmediate(probe);
    };
    setImmediate(probe);
    const decoding = decodeBase64InTurns(bytes);
    const beforeEnd = immediateTurns.length;
    await decoding;
    // Other callbacks ran while it decoded: it yielded at least once per 2 MiB of text (8 MiB here).
    expect(immediateTurns.length - beforeEnd).toBeGreaterThanOrEqual(3);
  });
});
