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
/** Bytes of a data URI copied and checked per turn of the event loop (~2–3 ms of work). */
const TURN_BYTES = 2 * 1024 * 1024;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** The part of a data URI before the base64: `data:image/png;base64,` (media type characters only). */
const BASE64_HEADER = /^data:[a-z0-9!#$&^_.+\-/]*;base64,$/i;
/** Anything outside the standard base64 alphabet (such a URI stays for JSON.parse and the image layer). */
const NON_BASE64 = /[^A-Za-z0-9+/=]/;
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
    const text = await base64DataUri(body, start + 1, comma + 1, end);
    if (text === undefined) continue;
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

/**
 * The data URI `body[from, to)` as one flat V8 heap string, or undefined when a character after its header
 * (which ends at `base64From`) is outside the base64 alphabet. The bytes are copied in pieces under V8's
 * external-string threshold (~1 MB): one `toString` of more makes an external string, slower to scan and, as
 * external memory, a trigger for more garbage collection (measured: +7 ms per 5 MiB image). Each piece is
 * checked while it is fresh in the cache, and the work is spread over turns of the event loop
 * (`TURN_BYTES` each), so a 20 MB image never holds the loop for more than a few milliseconds at a time;
 * only the final join (one copy) is done at once.
 */
async function base64DataUri(
  body: Buffer,
  from: number,
  base64From: number,
  to: number,
): Promise<string | undefined> {
  const pieces: string[] = [];
  let bytesThisTurn = 0;
  for (let offset = from; offset < to; offset += HEAP_PIECE_BYTES) {
    const piece = body.toString('latin1', offset, Math.min(to, offset + HEAP_PIECE_BYTES));
    const checkFrom = Math.max(0, base64From - offset);
    if (NON_BASE64.test(checkFrom > 0 ? piece.slice(checkFrom) : piece)) return undefined;
    pieces.push(piece);
    bytesThisTurn += piece.length;
    if (bytesThisTurn >= TURN_BYTES) {
      bytesThisTurn = 0;
      await nextTurn();
    }
  }
  return pieces.length === 1 ? pieces[0] : pieces.join('');
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
