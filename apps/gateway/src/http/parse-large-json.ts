import { isAscii } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { markCheckedDataUri } from '@app/core';

/** Bodies smaller than this are parsed with one plain `JSON.parse`. */
export const LARGE_BODY_BYTES = 256 * 1024;
/** Data URIs shorter than this stay in the JSON text. */
const MIN_LIFTED_LENGTH = 64 * 1024;
const DATA_URI_START = Buffer.from('"data:', 'latin1');
const MAX_HEADER_LENGTH = 256;
/** Under Node's external-string threshold (EXTERN_APEX, ~1 MB). */
const HEAP_PIECE_BYTES = 512 * 1024;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** The part of a data URI before the base64: `data:image/png;base64,` (media type characters only). */
const BASE64_HEADER = /^data:[a-z0-9!#$&^_.+\-/]*;base64,$/i;
/** Anything outside the standard base64 alphabet (such a URI stays for JSON.parse and the image layer). */
const NON_BASE64 = /[^A-Za-z0-9+/=]/;
/** The alphabet check runs over windows of this many characters, one turn of the event loop each. */
const CHECK_WINDOW = 4 * 1024 * 1024;
const TOKEN_PREFIX = `iris-lifted-${randomBytes(8).toString('hex')}-`;

/**
 * Parses a large JSON body without running `JSON.parse` over its multi-megabyte base64 images, and without
 * holding the event loop for the whole body at once.
 *
 * Every `"data:<type>;base64,<base64>"` string of 64 KiB or more whose characters are all in the base64
 * alphabet is lifted out of the bytes (found with `Buffer.indexOf`, copied once as latin1), a short token
 * stands in its place, the small remainder goes through `JSON.parse`, and each token is replaced by its
 * string. The result is exactly `JSON.parse` of the whole body: such a string needs no unescaping, and an
 * opening quote that is not really the start of a string (escaped, or a string end followed by `data:`)
 * leaves invalid JSON invalid — the first case is skipped, the second makes two adjacent strings. Anything
 * else (escapes, whitespace or other characters in the base64, a token in a key, a count mismatch) falls
 * back to plain `JSON.parse`. Between images the parser yields to the event loop. The text between images is
 * decoded piece by piece (latin1 when ASCII, else UTF-8; pieces are cut at quotes, never inside a character).
 */
export async function parseLargeJson(body: Buffer): Promise<unknown> {
  const lifted = new Map<string, string>();
  const pieces: string[] = [];
  let copiedUpTo = 0;
  let searchFrom = 0;
  for (;;) {
    const start = body.indexOf(DATA_URI_START, searchFrom);
    if (start < 0) break;
    searchFrom = start + 1;
    if (start > 0 && body[start - 1] === BACKSLASH) continue;
    const end = body.indexOf(QUOTE, start + 1);
    if (end < 0) break;
    searchFrom = end + 1;
    if (end - start - 1 < MIN_LIFTED_LENGTH) continue;
    const backslash = body.indexOf(BACKSLASH, start + 1);
    if (backslash >= 0 && backslash < end) continue;
    const comma = body.indexOf(0x2c, start + 1);
    if (comma < 0 || comma > end || comma - start > MAX_HEADER_LENGTH) continue;
    if (!BASE64_HEADER.test(body.toString('latin1', start + 1, comma + 1))) continue;
    const text = heapLatin1(body, start + 1, end);
    await nextTurn(); // a 20 MB image: the copy and the check in separate turns
    if (!(await isBase64From(text, comma - start))) continue;
    const token = `${TOKEN_PREFIX}${lifted.size}`;
    lifted.set(token, text);
    pieces.push(decode(body, copiedUpTo, start), `"${token}"`);
    copiedUpTo = end + 1;
    // The next image (or the parse of the rest) in a later turn of the event loop.
    await nextTurn();
  }
  if (lifted.size === 0) return JSON.parse(decode(body, 0, body.length));
  pieces.push(decode(body, copiedUpTo, body.length));
  const remainder = pieces.join('');
  const parsed: unknown = JSON.parse(remainder);
  const restored = restore(parsed, lifted);
  // A token that did not come back in a value position: take the long way.
  if (restored.count !== lifted.size || restored.inKey) return JSON.parse(decode(body, 0, body.length));
  return restored.value;
}

/** Whether `text` from `from` on is all base64 alphabet; windows are sliced strings (no copy). */
async function isBase64From(text: string, from: number): Promise<boolean> {
  for (let offset = from; offset < text.length; offset += CHECK_WINDOW) {
    if (offset > from) await nextTurn();
    if (NON_BASE64.test(text.slice(offset, offset + CHECK_WINDOW))) return false;
  }
  return true;
}

/**
 * The bytes as a V8 heap string. One `toString` of more than ~1 MB makes an external string, which is
 * slower to scan with a regular expression and, as external memory, makes V8 collect garbage more often
 * (measured: +7 ms per 5 MiB image); pieces under that size joined make one flat heap string.
 */
function heapLatin1(body: Buffer, from: number, to: number): string {
  if (to - from <= HEAP_PIECE_BYTES) return body.toString('latin1', from, to);
  const pieces: string[] = [];
  for (let offset = from; offset < to; offset += HEAP_PIECE_BYTES) {
    pieces.push(body.toString('latin1', offset, Math.min(to, offset + HEAP_PIECE_BYTES)));
  }
  return pieces.join('');
}

function decode(body: Buffer, from: number, to: number): string {
  const slice = body.subarray(from, to);
  return slice.toString(isAscii(slice) ? 'latin1' : 'utf8');
}

function restore(
  value: unknown,
  lifted: ReadonlyMap<string, string>,
): { value: unknown; count: number; inKey: boolean } {
  let count = 0;
  let inKey = false;
  const visit = (node: unknown): unknown => {
    if (typeof node === 'string') {
      if (!node.startsWith(TOKEN_PREFIX)) return node;
      const text = lifted.get(node);
      if (text === undefined) return node;
      count++;
      return text;
    }
    if (Array.isArray(node)) {
      for (let index = 0; index < node.length; index++) {
        const next = visit(node[index]);
        if (next !== node[index]) node[index] = next;
      }
      return node;
    }
    if (typeof node === 'object' && node !== null) {
      const record = node as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (key.startsWith(TOKEN_PREFIX)) inKey = true;
        const next = visit(record[key]);
        // An own `__proto__` data property (JSON.parse makes one) is assigned as data, never as a prototype.
        if (next !== record[key]) {
          // The image layer need not scan this string's base64 again.
          markCheckedDataUri(record, next as string);
          Object.defineProperty(record, key, {
            value: next,
            writable: true,
            enumerable: true,
            configurable: true,
          });
        }
      }
    }
    return node;
  };
  return { value: visit(value), count, inKey };
}
