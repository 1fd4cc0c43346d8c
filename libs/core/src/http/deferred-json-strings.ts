import { randomBytes } from 'node:crypto';
import type { ChatCompletionContentPartImage } from '../openai-types';
import type { ChatRequest } from '../provider-adapter';
import { preparedImageOf } from '../images/prepared-image';
import { Base64Bytes } from '../images/base64-bytes';
import type { BlockLease } from './block-pool';
import { ChunkedBytes } from './chunked-bytes';

/**
 * Multi-megabyte image strings skip the SDKs' `JSON.stringify`.
 *
 * The vendor SDKs serialise the whole request with `JSON.stringify`, which on Node 20 walks a 5 MiB base64
 * string character by character (~7–15 ms), and undici then encodes the result to UTF-8 again (~5 ms).
 * Strings that need no JSON escaping at all — the base64 data the image layer validated, and data: URIs
 * built from it — are swapped for a short token before the SDK call (`deferJsonSafeStrings`); the SDK
 * serialises the small remainder, and the upstream fetch copies each string into the outgoing bytes in
 * one pass where its token stands (`spliceDeferredStrings`). The bytes sent are exactly what
 * `JSON.stringify` of the original would give. The SDKs stay the transport: they build, send and parse
 * the request as before. Tokens are single-use: the SDK clients run with retries off.
 *
 * Base64 images the large-body parser left in the request's own bytes (`Base64Bytes`) stand in the request
 * as placeholders from the start; they share the token prefix, are registered per client request
 * (`RequestBytes`), may be sent any number of times (`n`, OCR fallbacks) and are written from the request's
 * buffer, never copied into a string.
 */

/** Below this, stringifying costs less than the bookkeeping. */
export const DEFER_MIN_LENGTH = 64 * 1024;
/** Unused tokens (a call that failed before sending) are forgotten after this long. */
const UNUSED_TTL_MS = 5 * 60_000;

const TOKEN_PREFIX = `iris-deferred-${randomBytes(8).toString('hex')}-`;
const registry = new Map<string, { value: string; createdAt: number }>();
/** `Base64Bytes` by placeholder, until their client request's response closes. */
const bytesRegistry = new Map<string, Base64Bytes>();
/** Tokens registered for each chat request, so the app can release the unsent ones when the call settles. */
const tokensByRequest = new WeakMap<ChatRequest, string[]>();
let nextId = 0;
let sweeper: NodeJS.Timeout | undefined;

/**
 * The strings of a chat request known to need no JSON escaping: for every image part the image layer
 * prepared as inline base64, its base64 data (standard alphabet, validated) and its data: URI.
 */
export function jsonSafeImageStrings(request: ChatRequest): Set<string> {
  const safe = new Set<string>();
  for (const message of request.messages) {
    const content = (message as { content?: unknown }).content;
    if (!Array.isArray(content)) continue;
    for (const part of content as Array<{ type?: unknown }>) {
      if (part?.type !== 'image_url') continue;
      const imagePart = part as ChatCompletionContentPartImage;
      const prepared = preparedImageOf(imagePart);
      if (prepared?.source !== 'base64') continue;
      if (typeof prepared.data === 'string' && prepared.data.length >= DEFER_MIN_LENGTH)
        safe.add(prepared.data);
      const url = imagePart.image_url?.url;
      if (typeof url === 'string' && url.length >= DEFER_MIN_LENGTH && url.startsWith('data:')) safe.add(url);
    }
  }
  return safe;
}

/**
 * A copy of `value` in which every string of `safe` is replaced by a token; unchanged branches are shared,
 * nothing is mutated, and only arrays and plain objects are entered (signals, functions, class instances
 * are kept as they are). Returns `value` itself when there is nothing to defer.
 */
export function deferJsonSafeStrings<T>(value: T, safe: ReadonlySet<string>): T {
  if (safe.size === 0) return value;
  return replace(value, safe, []) as T;
}

/** The SDK call's params with the request's image strings deferred (see the module comment). */
export function deferImageStrings<T>(params: T, request: ChatRequest): T {
  const safe = jsonSafeImageStrings(request);
  if (safe.size === 0) return params;
  let tokens = tokensByRequest.get(request);
  if (!tokens) tokensByRequest.set(request, (tokens = []));
  return replace(params, safe, tokens) as T;
}

/**
 * Forgets the request's tokens that no upstream fetch consumed (an SDK call that failed before sending).
 * The app calls it once the adapter call has settled, so a failed call does not keep multi-MB strings
 * until the sweep; consumed tokens are already gone, so this is a no-op on success.
 */
export function releaseDeferredStrings(request: ChatRequest): void {
  const tokens = tokensByRequest.get(request);
  if (!tokens) return;
  tokensByRequest.delete(request);
  for (const token of tokens) registry.delete(token);
}

function replace(value: unknown, safe: ReadonlySet<string>, tokens: string[]): unknown {
  if (typeof value === 'string') {
    if (value.length < DEFER_MIN_LENGTH || !safe.has(value)) return value;
    const token = register(value);
    tokens.push(token);
    return token;
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      const replaced = replace(item, safe, tokens);
      if (replaced !== item) {
        copy ??= value.slice();
        copy[index] = replaced;
      }
    }
    return copy ?? value;
  }
  if (typeof value === 'object' && value !== null) {
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) return value;
    let copy: Record<string, unknown> | undefined;
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      const replaced = replace(item, safe, tokens);
      if (replaced !== item) {
        copy ??= { ...(value as Record<string, unknown>) };
        copy[key] = replaced;
      }
    }
    return copy ?? value;
  }
  return value;
}

/**
 * The base64 bytes registered for one client request: the app creates it before the body is parsed and
 * releases it when the response closes (finished, failed or the client gone), so nothing outlives the request.
 */
export class RequestBytes {
  private readonly placeholders: string[] = [];

  /** `lease`: the pooled memory the body was read into (block-pool.ts), when it was. */
  constructor(readonly lease?: BlockLease) {}

  /** `chunks` (standard padded base64, already checked) under a new placeholder. */
  add(chunks: readonly Buffer[]): Base64Bytes {
    const bytes = new Base64Bytes(new ChunkedBytes(chunks, this.lease), newToken());
    bytesRegistry.set(bytes.placeholder, bytes);
    this.placeholders.push(bytes.placeholder);
    return bytes;
  }

  /** Forgets the placeholders (the parser's fallback, which parses the whole body as text instead). */
  release(): void {
    for (const placeholder of this.placeholders) bytesRegistry.delete(placeholder);
    this.placeholders.length = 0;
  }

  /** The response has closed: the placeholders are forgotten and the request lets go of its lease. */
  close(): void {
    this.release();
    this.lease?.release();
  }
}

/** The bytes a placeholder stands for, or undefined when `text` is not a live placeholder. */
export function base64BytesOf(text: string): Base64Bytes | undefined {
  return isPlaceholder(text) ? bytesRegistry.get(text) : undefined;
}

/** Whether `text` has the shape of a placeholder (live or already released). */
export function isPlaceholder(text: string): boolean {
  return text.startsWith(TOKEN_PREFIX);
}

function newToken(): string {
  return `${TOKEN_PREFIX}${(nextId++).toString(36)}`;
}

function register(value: string): string {
  const token = newToken();
  registry.set(token, { value, createdAt: Date.now() });
  sweeper ??= setInterval(sweep, UNUSED_TTL_MS).unref();
  return token;
}

function sweep(): void {
  const oldest = Date.now() - UNUSED_TTL_MS;
  for (const [token, entry] of registry) if (entry.createdAt < oldest) registry.delete(token);
}

/** Request bytes from this size on are handed to the socket as they are (the body's chunks, no copy). */
const WRITE_AS_IS_BYTES = 64 * 1024;

/**
 * The request body with every deferred string and placeholder's bytes where its token stands. `body` itself
 * when it has no token; otherwise bytes: the strings are ASCII, copied as latin1 (no UTF-8 encoding pass),
 * and large request bytes are not copied at all: the result is then a list of buffers (the text around them
 * and the body's own chunks), written one after the other. A token that is no longer registered is an error,
 * never sent upstream. When chunks in pooled memory are in that list, their leases are added to `leases`:
 * the caller must hold them until the bytes are written (upstream-fetch.ts).
 */
export function spliceDeferredStrings(body: string, leases?: BlockLease[]): string | Buffer | Buffer[] {
  let position = body.indexOf(TOKEN_PREFIX);
  if (position < 0) return body;
  const pieces: Piece[] = [];
  let copiedUpTo = 0;
  while (position >= 0) {
    let end = position + TOKEN_PREFIX.length;
    while (end < body.length && isBase36(body.charCodeAt(end))) end++;
    const token = body.slice(position, end);
    pieces.push({ text: body.slice(copiedUpTo, position), ascii: false });
    const bytes = bytesRegistry.get(token);
    const entry = bytes ? undefined : registry.get(token);
    if (bytes) pieces.push({ bytes: bytes.bytes });
    else if (entry) {
      registry.delete(token);
      pieces.push({ text: entry.value, ascii: true });
    } else throw new Error('A deferred request string was already sent or has expired.');
    copiedUpTo = end;
    position = body.indexOf(TOKEN_PREFIX, end);
  }
  pieces.push({ text: body.slice(copiedUpTo), ascii: false });
  // Runs of strings and small slices become one buffer each; large slices stay as they are.
  const buffers: Buffer[] = [];
  let run: Piece[] = [];
  const flush = (): void => {
    if (run.length > 0) buffers.push(joinPieces(run));
    run = [];
  };
  for (const piece of pieces) {
    if ('bytes' in piece && piece.bytes.length >= WRITE_AS_IS_BYTES) {
      flush();
      buffers.push(...piece.bytes.chunks);
      const lease = piece.bytes.lease;
      if (lease && leases && !leases.includes(lease)) leases.push(lease);
    } else run.push(piece);
  }
  flush();
  return buffers.length === 1 ? buffers[0] : buffers;
}

type Piece = { text: string; ascii: boolean } | { bytes: ChunkedBytes };

function joinPieces(run: readonly Piece[]): Buffer {
  let length = 0;
  for (const piece of run) {
    if ('bytes' in piece) length += piece.bytes.length;
    else length += piece.ascii ? piece.text.length : Buffer.byteLength(piece.text, 'utf8');
  }
  const joined = Buffer.allocUnsafe(length);
  let offset = 0;
  for (const piece of run) {
    if ('bytes' in piece) for (const chunk of piece.bytes.chunks) offset += chunk.copy(joined, offset);
    else offset += joined.write(piece.text, offset, piece.ascii ? 'latin1' : 'utf8');
  }
  return joined;
}

function isBase36(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x7a);
}

/** For tests: how many tokens are waiting to be sent. */
export function pendingDeferredStrings(): number {
  return registry.size;
}

/** For tests: how many placeholders of request bytes are registered. */
export function registeredRequestBytes(): number {
  return bytesRegistry.size;
}
