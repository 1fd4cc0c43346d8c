import sharp, { type Sharp } from 'sharp';

/** Real small images, made by sharp (or written byte by byte where sharp cannot write the format). */

export type SampleFormat = 'png' | 'jpeg' | 'webp' | 'webp-lossless' | 'webp-alpha' | 'gif' | 'tiff' | 'avif';

/** A gradient (compresses poorly enough to make byte limits meaningful) of the given size. */
export function gradient(width: number, height: number, channels: 3 | 4 = 3): Sharp {
  const pixels = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * channels;
      pixels[offset] = (x * 7 + y * 3) & 0xff;
      pixels[offset + 1] = (x * 13) ^ (y * 5) & 0xff;
      pixels[offset + 2] = (x * y) & 0xff;
      if (channels === 4) pixels[offset + 3] = 128 + ((x + y) % 128);
    }
  }
  return sharp(pixels, { raw: { width, height, channels } });
}

export async function makeImage(format: SampleFormat, width = 40, height = 30): Promise<Buffer> {
  switch (format) {
    case 'png':
      return gradient(width, height).png().toBuffer();
    case 'jpeg':
      return gradient(width, height).jpeg({ quality: 90 }).toBuffer();
    case 'webp':
      return gradient(width, height).webp({ quality: 80 }).toBuffer();
    case 'webp-lossless':
      return gradient(width, height).webp({ lossless: true }).toBuffer();
    case 'webp-alpha':
      return gradient(width, height, 4).webp({ quality: 80 }).toBuffer();
    case 'gif':
      return gradient(width, height).gif().toBuffer();
    case 'tiff':
      return gradient(width, height).tiff().toBuffer();
    case 'avif':
      return gradient(width, height).avif({ quality: 50 }).toBuffer();
  }
}

/** A three-frame animated GIF. */
export async function makeAnimatedGif(width = 20, height = 10, frames = 3): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * frames * 3);
  for (let frame = 0; frame < frames; frame++) {
    pixels.fill(frame * 80, frame * width * height * 3, (frame + 1) * width * height * 3);
  }
  return sharp(pixels, { raw: { width, height: height * frames, channels: 3, pageHeight: height } })
    .gif({ delay: new Array(frames).fill(100), loop: 0 })
    .toBuffer();
}

/** A 2×2 24-bit BMP written by hand (sharp cannot write BMP). */
export function makeBmp(): Buffer {
  const header = Buffer.alloc(54);
  const rowBytes = 8; // 2 pixels × 3 bytes, padded to 4
  header.write('BM', 0, 'latin1');
  header.writeUInt32LE(54 + rowBytes * 2, 2);
  header.writeUInt32LE(54, 10);
  header.writeUInt32LE(40, 14); // BITMAPINFOHEADER
  header.writeInt32LE(2, 18);
  header.writeInt32LE(2, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(24, 28);
  header.writeUInt32LE(rowBytes * 2, 34);
  return Buffer.concat([header, Buffer.alloc(rowBytes * 2, 0x7f)]);
}

export function makeSvg(): Buffer {
  return Buffer.from(
    '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20">' +
      '<rect width="30" height="20" fill="#c33"/></svg>',
  );
}

/** The first box of a HEIC file (`ftyp` with the `heic` brand): enough for the sniffer. */
export function makeHeicHeader(): Buffer {
  const box = Buffer.alloc(24);
  box.writeUInt32BE(24, 0);
  box.write('ftypheic', 4, 'latin1');
  box.writeUInt32BE(0, 12);
  box.write('mif1heic', 16, 'latin1');
  return box;
}

/** Inserts `count` APPn segments of ~64 KB after the SOI marker, pushing the SOF far beyond the first bytes. */
export function withLargeJpegSegments(jpeg: Buffer, count = 3): Buffer {
  const segments: Buffer[] = [];
  for (let index = 0; index < count; index++) {
    const segment = Buffer.alloc(4 + 65_533, 0x20);
    segment[0] = 0xff;
    segment[1] = 0xe2; // APP2 (ICC profiles use it)
    segment.writeUInt16BE(65_535, 2);
    segments.push(segment);
  }
  return Buffer.concat([jpeg.subarray(0, 2), ...segments, jpeg.subarray(2)]);
}

export function dataUri(bytes: Buffer, type: string): string {
  return `data:${type};base64,${bytes.toString('base64')}`;
}

/** `bytes` as chunks of `size` bytes (the last one shorter), as a socket delivers a body. */
export function splitInto(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) chunks.push(bytes.subarray(offset, offset + size));
  return chunks;
}
