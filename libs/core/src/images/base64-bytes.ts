import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ChunkedBytes } from '../http/chunked-bytes';

/**
 * Base64 image data that stays in the bytes of the client's request body instead of becoming a
 * multi-megabyte V8 string.
 *
 * Why: a string that size is a fresh V8 large-object allocation every time, and the first write to fresh
 * pages is where the event loop's long turns went (a 27 MB image held the loop 20–48 ms at c=1). Views of
 * the body's chunks cost nothing: the body is already in memory, as the socket delivered it.
 *
 * In the parsed request the image stands as `data:<type>;base64,<placeholder>`. The placeholder is a short
 * string registered for the request (`RequestBytes`, deferred-json-strings.ts): the image layer reads the
 * bytes through it, and the upstream fetch writes the bytes where it stands in the outgoing JSON. Code that
 * does not know it sees a string that is not base64 and fails loudly, never silently.
 */
export class Base64Bytes {
  constructor(
    /**
     * Standard-alphabet, padded base64 text (ASCII bytes), checked by the large-body parser: views of the
     * body's chunks as the socket delivered them (never joined: that would be a fresh multi-MB copy).
     */
    readonly bytes: ChunkedBytes,
    /** What stands in JSON for these bytes until the upstream fetch writes them. */
    readonly placeholder: string,
  ) {}

  get length(): number {
    return this.bytes.length;
  }
}

/** Base64 text as a string, or as bytes of the request body. */
export type Base64Data = string | Base64Bytes;

/** Decoding works on windows this size (a multiple of 4 characters, small enough for V8's young space). */
const WINDOW_CHARACTERS = 64 * 1024;
/** Characters decoded per turn of the event loop by the `...InTurns` functions (~1–2 ms of work). */
const TURN_CHARACTERS = 2 * 1024 * 1024;

/** The text that stands for the data in a JSON body: the base64 itself, or the bytes' placeholder. */
export function base64JsonText(data: Base64Data): string {
  return typeof data === 'string' ? data : data.placeholder;
}

/** Characters `[from, to)` of the base64 text, as a (small) string. */
export function base64Characters(data: Base64Data, from: number, to: number): string {
  return typeof data === 'string' ? data.slice(from, to) : data.bytes.toString('latin1', from, to);
}

/** The decoded bytes, in one go (the local OCR engine; the image layer uses `decodeBase64InTurns`). */
export function decodeBase64(data: Base64Data): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'base64');
  const output = Buffer.allocUnsafe(decodedLength(data));
  let written = 0;
  for (const text of windowsOf(data)) written += output.write(text, written, 'base64');
  return output.subarray(0, written);
}

/** The decoded bytes, spread over turns of the event loop for multi-megabyte images. */
export async function decodeBase64InTurns(data: Base64Data): Promise<Buffer> {
  if (typeof data === 'string') return Buffer.from(data, 'base64');
  const output = Buffer.allocUnsafe(decodedLength(data));
  let written = 0;
  await forEachWindowInTurns(data, (text) => (written += output.write(text, written, 'base64')));
  return output.subarray(0, written);
}

/** Each window of decoded bytes in order (~48 KiB each), over turns of the event loop: for hashing. */
export function forEachDecodedWindow(data: Base64Data, visit: (bytes: Buffer) => void): Promise<void> {
  return forEachWindowInTurns(data, (text) => visit(Buffer.from(text, 'base64')));
}

async function forEachWindowInTurns(data: Base64Data, visit: (text: string) => void): Promise<void> {
  let characters = 0;
  for (const text of windowsOf(data)) {
    visit(text);
    characters += text.length;
    if (characters % TURN_CHARACTERS === 0 && characters < data.length) await nextTurn();
  }
}

/** The base64 text in windows of `WINDOW_CHARACTERS` (each decodes on its own: a multiple of 4). */
function* windowsOf(data: Base64Data): Generator<string> {
  for (let from = 0; from < data.length; from += WINDOW_CHARACTERS)
    yield base64Characters(data, from, Math.min(data.length, from + WINDOW_CHARACTERS));
}

/** Decoded size of standard padded base64, from its length and trailing `=` alone (no decoding). */
export function decodedLength(data: Base64Data): number {
  const last = (back: number): number | undefined =>
    typeof data === 'string' ? data.charCodeAt(data.length - back) : data.bytes.byteAt(data.length - back);
  let padding = 0;
  if (last(1) === 0x3d) padding++;
  if (last(2) === 0x3d) padding++;
  return (data.length / 4) * 3 - padding;
}
