import type { ByteSource } from './byte-source';

/**
 * Counts a GIF's image descriptors by walking its block structure (lengths only, no LZW decoding), stopping at
 * `stopAt`. Two or more frames make an animated GIF, which no backend takes as such.
 * @see https://www.w3.org/Graphics/GIF/spec-gif89a.txt
 */
export function countGifFrames(source: ByteSource, stopAt = 2): number {
  const screen = source.read(0, 13);
  if (screen.length < 13) return 0;
  let offset = 13 + colorTableSize(screen[10]);
  let frames = 0;
  while (offset < source.length && frames < stopAt) {
    const introducer = source.read(offset, 1)[0];
    if (introducer === 0x3b) break; // trailer
    if (introducer === 0x21) {
      offset = skipSubBlocks(source, offset + 2); // introducer + label
    } else if (introducer === 0x2c) {
      const descriptor = source.read(offset, 10);
      if (descriptor.length < 10) break;
      frames++;
      offset = skipSubBlocks(source, offset + 10 + colorTableSize(descriptor[9]) + 1); // + LZW minimum code size
    } else {
      break; // malformed: count what was found
    }
    if (offset < 0) break;
  }
  return frames;
}

function colorTableSize(packed: number): number {
  return packed & 0x80 ? 3 * (1 << ((packed & 0x07) + 1)) : 0;
}

/** Offset after the terminating zero-length sub-block, or -1 when the data ends first. */
function skipSubBlocks(source: ByteSource, start: number): number {
  let offset = start;
  while (offset < source.length) {
    const size = source.read(offset, 1)[0];
    offset += 1 + size;
    if (size === 0) return offset;
  }
  return -1;
}
