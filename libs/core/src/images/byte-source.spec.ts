import { randomBytes } from 'node:crypto';
import { base64Source, bufferSource } from './byte-source';
import { decodedLength } from './base64-bytes';

describe('base64Source', () => {
  const bytes = randomBytes(10_001);
  const base64 = bytes.toString('base64');

  it.each([
    [0, 10],
    [1, 7],
    [2999, 5],
    [4095, 300],
    [9990, 50], // runs past the end
    [5000, 4000], // larger than the window
  ])('read(%i, %i) matches the decoded bytes', (offset, length) => {
    const source = base64Source(base64, decodedLength(base64), 3 * 1024);
    expect(source.length).toBe(bytes.length);
    expect(Buffer.from(source.read(offset, length)).equals(bytes.subarray(offset, offset + length))).toBe(
      true,
    );
  });

  it('bufferSource reads a buffer', () => {
    expect(Buffer.from(bufferSource(bytes).read(5, 3)).equals(bytes.subarray(5, 8))).toBe(true);
  });
});
