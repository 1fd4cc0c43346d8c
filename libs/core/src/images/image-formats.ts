import type { ImageMediaType } from './provider-image-rules';

/** Formats the sniffer recognises: the four every backend takes, and others that are refused unless configured. */
export type SniffedImageType =
  | ImageMediaType
  | 'image/bmp'
  | 'image/tiff'
  | 'image/svg+xml'
  | 'image/heic'
  | 'image/avif'
  | 'image/x-icon';

/**
 * Formats an operator may allow on top of the four (`extraFormats`). They are never sent as they are: the image
 * layer converts them to an accepted type with sharp, so only formats this sharp build decodes are listed.
 * `image/gif;animated` lets animated GIFs in (their first frame is sent).
 */
export const EXTRA_IMAGE_FORMATS = [
  'image/tiff',
  'image/avif',
  'image/svg+xml',
  'image/gif;animated',
] as const;
export type ExtraImageFormat = (typeof EXTRA_IMAGE_FORMATS)[number];

export function isImageMediaType(type: string): type is ImageMediaType {
  return type === 'image/png' || type === 'image/jpeg' || type === 'image/webp' || type === 'image/gif';
}

/** How many leading bytes `sniffImageType` looks at (SVG may start with a long XML prolog or comment). */
export const SNIFF_BYTES = 512;

/** The format from the magic numbers in the first bytes; undefined when it is not a recognised image. */
export function sniffImageType(head: Uint8Array): SniffedImageType | undefined {
  const at = (index: number, ...bytes: number[]): boolean =>
    head.length >= index + bytes.length && bytes.every((byte, offset) => head[index + offset] === byte);
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (at(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (at(0, 0x47, 0x49, 0x46, 0x38) && (at(4, 0x37, 0x61) || at(4, 0x39, 0x61))) return 'image/gif';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'image/webp';
  if (at(0, 0x42, 0x4d) && head.length >= 18 && BMP_HEADER_SIZES.has(readUint32LittleEndian(head, 14)))
    return 'image/bmp';
  if (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a)) return 'image/tiff';
  if (at(0, 0x00, 0x00, 0x01, 0x00)) return 'image/x-icon';
  if (at(4, 0x66, 0x74, 0x79, 0x70)) return sniffIsoBrand(head);
  if (looksLikeSvg(head)) return 'image/svg+xml';
  return undefined;
}

const BMP_HEADER_SIZES = new Set([12, 40, 52, 56, 64, 108, 124]);

function readUint32LittleEndian(bytes: Uint8Array, offset: number): number {
  return (
    (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0
  );
}

/** HEIF family: the `ftyp` box's major brand says HEIC or AVIF. */
function sniffIsoBrand(head: Uint8Array): SniffedImageType | undefined {
  if (head.length < 12) return undefined;
  const brand = String.fromCharCode(head[8], head[9], head[10], head[11]);
  if (brand === 'avif' || brand === 'avis') return 'image/avif';
  if (['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return 'image/heic';
  return undefined;
}

function looksLikeSvg(head: Uint8Array): boolean {
  const text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.length, SNIFF_BYTES))
    .toString('latin1')
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
    .trimStart();
  if (!text.startsWith('<')) return false;
  return /<svg[\s>]/i.test(text);
}

/** The sentence every format error ends with, listing what this gateway accepts. */
export function acceptedFormatsSentence(extraFormats: readonly string[] = []): string {
  const names = [
    'PNG',
    'JPEG',
    'WEBP',
    extraFormats.includes('image/gif;animated') ? 'GIF' : 'non-animated GIF',
  ];
  for (const extra of extraFormats) {
    if (extra === 'image/tiff') names.push('TIFF');
    if (extra === 'image/avif') names.push('AVIF');
    if (extra === 'image/svg+xml') names.push('SVG');
  }
  const last = names.pop();
  return `Accepted formats are ${names.join(', ')} and ${last}.`;
}
