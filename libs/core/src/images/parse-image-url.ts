import { GatewayError } from '../gateway-error';
import { base64BytesOf, isPlaceholder } from '../http/deferred-json-strings';
import { decodedLength, type Base64Data } from './base64-bytes';

/** Inline image bytes as standard base64, plus what the client declared (never trusted: the bytes decide). */
export interface InlineImageSource {
  kind: 'inline';
  /**
   * Standard-alphabet, padded base64 without whitespace. When the input already was, this is a `slice` of it
   * (V8 makes a sliced string: no copy of a multi-megabyte payload); for an image the large-body parser left
   * in the request's bytes, those bytes (`Base64Bytes`).
   */
  base64: Base64Data;
  /** Size of the decoded bytes, computed from the base64 length (no decoding). */
  decodedBytes: number;
  /** Lower-cased `type/subtype` the data URI declared, if any. */
  declaredMediaType?: string;
  /** Whether the input was exactly `data:<declaredMediaType>;base64,<base64>`. */
  wellFormed: boolean;
}

export interface RemoteImageSource {
  kind: 'remote';
  url: string;
}

export type ImageSource = InlineImageSource | RemoteImageSource;

/** Anything outside the standard base64 alphabet; one linear scan, no allocation (measured fastest: see README). */
const NON_STANDARD_BASE64 = /[^A-Za-z0-9+/=]/;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const MAX_HEADER_LENGTH = 256;

/**
 * Reads an `image_url.url` tolerantly: data URIs in any case, with extra parameters or no media type, raw base64
 * without the `data:` prefix, whitespace or newlines inside the base64, the base64url alphabet, missing padding,
 * percent-encoded (non-base64) data URIs; and http(s) URLs. Anything undecodable is a 400 naming `param`.
 */
export function parseImageUrl(value: string, param: string): ImageSource {
  let start = 0;
  while (start < value.length && isWhitespace(value.charCodeAt(start))) start++;
  if (start === value.length) throw invalidData('The image URL is empty.', param);
  const head = value.slice(start, start + 8).toLowerCase();
  if (head.startsWith('data:')) return parseDataUri(value, start, param);
  if (head.startsWith('http://') || head.startsWith('https://')) return parseRemote(value.trim(), param);
  if (SCHEME.test(value.slice(start, start + 40))) {
    throw GatewayError.invalidRequest(
      'Image URLs must be http(s) URLs or base64 data: URIs.',
      param,
      'invalid_image_url',
    );
  }
  // No scheme: raw base64, as many clients send it.
  const base64 = normalizeBase64(start === 0 ? value : value.slice(start));
  if (!base64) throw undecodable(param);
  return { kind: 'inline', base64, decodedBytes: decodedLength(base64), wellFormed: false };
}

function parseDataUri(value: string, start: number, param: string): InlineImageSource {
  const comma = value.indexOf(',', start);
  if (comma < 0 || comma - start > MAX_HEADER_LENGTH) throw undecodable(param);
  const parameters = value
    .slice(start + 5, comma)
    .split(';')
    .map((parameter) => parameter.trim());
  const declaredMediaType = parameters[0].toLowerCase() || undefined;
  const isBase64 = parameters.slice(1).some((parameter) => parameter.toLowerCase() === 'base64');
  const body = value.slice(comma + 1);
  if (!isBase64) {
    // `data:image/svg+xml,<svg ...>` and friends: percent-encoded bytes.
    const bytes = percentDecode(body);
    if (bytes.length === 0) throw invalidData('The image data is empty.', param);
    const base64 = bytes.toString('base64');
    return { kind: 'inline', base64, decodedBytes: bytes.length, declaredMediaType, wellFormed: false };
  }
  // The large-body parser's placeholder: the checked base64 stays in the request's bytes (base64-bytes.ts).
  const base64 = isPlaceholder(body) ? requestBytes(body, param) : normalizeBase64(body);
  if (!base64) throw undecodable(param);
  const wellFormed =
    start === 0 &&
    (base64 === body || typeof base64 !== 'string') &&
    declaredMediaType !== undefined &&
    comma === 5 + declaredMediaType.length + 7 &&
    value.startsWith(`data:${declaredMediaType};base64,`);
  return { kind: 'inline', base64, decodedBytes: decodedLength(base64), declaredMediaType, wellFormed };
}

function parseRemote(url: string, param: string): RemoteImageSource {
  try {
    new URL(url);
  } catch {
    throw GatewayError.invalidRequest('The image URL is not a valid URL.', param, 'invalid_image_url');
  }
  return { kind: 'remote', url };
}

function requestBytes(placeholder: string, param: string): Base64Data {
  const bytes = base64BytesOf(placeholder);
  // Only after the response closed (the client left while the request was still being prepared).
  if (!bytes) throw invalidData('The image data is no longer available: the request has ended.', param);
  return bytes;
}

/**
 * Standard padded base64, or undefined when the text is not base64. Returns `text` itself (no copy) when it
 * already is; otherwise strips whitespace and percent-escapes, maps base64url to the standard alphabet, repads.
 */
export function normalizeBase64(text: string): string | undefined {
  let cleaned = text;
  if (NON_STANDARD_BASE64.test(cleaned)) {
    cleaned = cleaned
      .replace(/\s+/g, '')
      .replace(/%2B/gi, '+')
      .replace(/%2F/gi, '/')
      .replace(/%3D/gi, '=')
      .replace(/-/g, '+')
      .replace(/_/g, '/');
    if (NON_STANDARD_BASE64.test(cleaned)) return undefined;
  }
  const firstPad = cleaned.indexOf('=');
  const dataLength = firstPad < 0 ? cleaned.length : firstPad;
  if (dataLength === 0 || dataLength % 4 === 1) return undefined;
  for (let index = dataLength; index < cleaned.length; index++) {
    if (cleaned.charCodeAt(index) !== 0x3d) return undefined; // '=' only at the end
  }
  const padding = (4 - (dataLength % 4)) % 4;
  if (cleaned.length - dataLength === padding) return cleaned;
  if (cleaned.length - dataLength > 2) return undefined;
  return cleaned.slice(0, dataLength) + '='.repeat(padding);
}

function percentDecode(text: string): Buffer {
  const pieces: Buffer[] = [];
  let plainStart = 0;
  for (let index = 0; index < text.length; index++) {
    if (text.charCodeAt(index) !== 0x25 || index + 2 >= text.length) continue;
    const hex = text.slice(index + 1, index + 3);
    if (!/^[0-9a-f]{2}$/i.test(hex)) continue;
    pieces.push(Buffer.from(text.slice(plainStart, index), 'utf8'), Buffer.from([Number.parseInt(hex, 16)]));
    index += 2;
    plainStart = index + 1;
  }
  pieces.push(Buffer.from(text.slice(plainStart), 'utf8'));
  return Buffer.concat(pieces);
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0x0c;
}

function undecodable(param: string): GatewayError {
  return invalidData('The image data URI could not be decoded: expected base64 image data.', param);
}

function invalidData(message: string, param: string): GatewayError {
  return GatewayError.invalidRequest(message, param, 'invalid_image_data');
}
