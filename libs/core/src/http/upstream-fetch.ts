import { STATUS_CODES } from 'node:http';
import type { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fetch as undiciFetch, type Dispatcher } from 'undici';
import type { BlockLease } from './block-pool';
import { totalLength } from './chunked-bytes';
import { spliceDeferredStrings } from './deferred-json-strings';
import { PooledBodyWrite } from './pooled-body-write';

type FetchInput = Parameters<typeof globalThis.fetch>[0];

/**
 * Request bytes written to the upstream socket per turn of the event loop. Each 64 KiB write is a system
 * call that copies into the kernel (~30–45 µs here), so a 27 MB body written in one turn held the loop
 * ~18 ms; 2 MiB a turn is ~1.5 ms.
 */
const BODY_BYTES_PER_TURN = 2 * 1024 * 1024;

export interface UpstreamFetchOptions {
  /**
   * The longest silence allowed inside a response body (undici's per-request `bodyTimeout`; otherwise the
   * dispatcher's). undici does not count it while the body is held back because its reader is not reading
   * (a slow client), and a body that stays silent longer fails with an error `isUpstreamBodyTimeout` knows.
   */
  bodyTimeoutMs?: number;
}

/**
 * A `fetch` for the vendor SDKs built on undici's `Dispatcher.request` instead of undici's WHATWG `fetch`.
 * The SDKs stay the transport; this only feeds them more cheaply: WHATWG fetch builds a Request, a
 * Response, web streams and a body mixin per call (about a third of the gateway's CPU on a small request),
 * while `request` hands back the Node stream the socket already fills. The returned object has the part
 * of the Response interface the SDKs read: status/ok/headers/url, `json()`/`text()`/`arrayBuffer()`, and a
 * `body` that is both async-iterable (openai, anthropic) and has `getReader()` (@google/genai).
 * Anything this path does not cover (a Request object as input, a non-string body, a redirect mode other
 * than the default) goes to undici's own `fetch` on the same dispatcher.
 */
export function createUpstreamFetch(
  dispatcher: Dispatcher,
  options: UpstreamFetchOptions = {},
): typeof globalThis.fetch {
  const { bodyTimeoutMs } = options;
  const upstreamFetch = async (input: FetchInput, init?: RequestInit): Promise<Response> => {
    const body = init?.body;
    const simple =
      (typeof input === 'string' || input instanceof URL) &&
      (body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array) &&
      (init?.redirect === undefined || init.redirect === 'follow');
    // Image strings deferred past the SDK's JSON.stringify are copied in here, and request bytes (the
    // body's own chunks) written as they are (deferred-json-strings.ts); `leases` gets the pooled memory
    // among those chunks, held below until the socket is done with it.
    const leases: BlockLease[] = [];
    const payload = typeof body === 'string' ? spliceDeferredStrings(body, leases) : body;
    if (!simple) {
      const joined = Array.isArray(payload) ? Buffer.concat(payload) : payload;
      return fallbackFetch(dispatcher, input, joined === body ? init : { ...init, body: joined });
    }
    const url = typeof input === 'string' ? new URL(input) : input;
    const headers = flatHeaders(init?.headers);
    let requestBody = payload ?? undefined;
    let pooledWrite: PooledBodyWrite | undefined;
    // A list of buffers is written piece by piece: undici needs its length up front to send Content-Length.
    if (Array.isArray(payload)) {
      const length = totalLength(payload);
      setContentLength(headers, length);
      if (leases.length > 0) {
        pooledWrite = new PooledBodyWrite(bodyInTurns(payload), leases);
        requestBody = pooledWrite.body;
      } else if (length > BODY_BYTES_PER_TURN) requestBody = bodyInTurns(payload);
    }
    try {
      const response = await dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: (init?.method ?? 'GET').toUpperCase() as Dispatcher.HttpMethod,
        headers,
        // undici takes any iterable of buffers (lib/core/request.js); its types list only streams.
        body: requestBody as Dispatcher.DispatchOptions['body'],
        signal: init?.signal ?? undefined,
        ...(bodyTimeoutMs === undefined ? {} : { bodyTimeout: bodyTimeoutMs }),
      });
      return new UpstreamResponse(url.href, response) as unknown as Response;
    } catch (error) {
      pooledWrite?.notSent();
      throw sameRealmError(error);
    }
  };
  return upstreamFetch as typeof globalThis.fetch;
}

/**
 * The buffers as undici writes them (it awaits each one from an async iterable), with a turn of the event
 * loop after every `BODY_BYTES_PER_TURN`: other requests are served while a multi-megabyte body is sent.
 */
export async function* bodyInTurns(buffers: readonly Buffer[]): AsyncGenerator<Buffer> {
  let bytesThisTurn = 0;
  for (const buffer of buffers) {
    if (bytesThisTurn >= BODY_BYTES_PER_TURN) {
      bytesThisTurn = 0;
      await nextTurn();
    }
    yield buffer;
    bytesThisTurn += buffer.length;
  }
}

async function fallbackFetch(
  dispatcher: Dispatcher,
  input: FetchInput,
  init?: RequestInit,
): Promise<Response> {
  try {
    return (await undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    })) as unknown as Response;
  } catch (error) {
    throw sameRealmError(error);
  }
}

/** `[name, value, name, value, ...]`, the form undici takes without converting. */
function flatHeaders(headers: RequestInit['headers']): string[] {
  const flat: string[] = [];
  if (!headers) return flat;
  if (Array.isArray(headers)) {
    for (const [name, value] of headers) flat.push(name, value);
  } else if (
    typeof (headers as Headers).forEach === 'function' &&
    typeof (headers as Headers).get === 'function'
  ) {
    (headers as Headers).forEach((value, name) => flat.push(name, value));
  } else {
    for (const [name, value] of Object.entries(headers as Record<string, string>)) {
      if (value !== undefined && value !== null) flat.push(name, String(value));
    }
  }
  return flat;
}

/** Replaces any Content-Length in flat `[name, value, ...]` headers. */
function setContentLength(headers: string[], length: number): void {
  for (let index = headers.length - 2; index >= 0; index -= 2) {
    if (headers[index].toLowerCase() === 'content-length') headers.splice(index, 2);
  }
  headers.push('content-length', String(length));
}

/**
 * The upstream went silent in the middle of its response body for longer than its `bodyTimeoutMs`: undici's
 * BodyTimeoutError, as it is or as the cause of an SDK's error. Adapters answer it as a timeout (504).
 */
export function isUpstreamBodyTimeout(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') return false;
    if ((current as { code?: unknown }).code === 'UND_ERR_BODY_TIMEOUT') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * SDKs classify fetch failures with `instanceof Error` (an AbortError after their timeout is a timeout).
 * An abort `DOMException` comes from Node's own realm, which is not the realm of code run inside a VM
 * context (jest), so it is rewrapped there; in a plain process it is returned as it is.
 */
export function sameRealmError(error: unknown): unknown {
  if (error instanceof Error || typeof error !== 'object' || error === null) return error;
  const { name, message } = error as { name?: unknown; message?: unknown };
  const wrapped = new Error(String(message ?? 'fetch failed'), { cause: error });
  wrapped.name = String(name ?? 'Error');
  return wrapped;
}

/** Read-only response headers over undici's plain object (lower-case names, repeated ones as arrays). */
export class UpstreamHeaders {
  constructor(private readonly raw: Record<string, string | string[] | undefined>) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }

  getSetCookie(): string[] {
    const value = this.raw['set-cookie'];
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  }

  forEach(callback: (value: string, name: string, headers: UpstreamHeaders) => void): void {
    for (const [name, value] of this.entries()) callback(value, name, this);
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.raw).sort()) {
      const value = this.get(name);
      if (value !== null) yield [name, value];
    }
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

/**
 * The response body as the SDKs read it: async iteration over Node buffers (openai, anthropic) or a
 * WHATWG-style reader (@google/genai). Stopping either early destroys the socket stream, which frees the
 * upstream connection (or closes it when the body was not finished).
 */
class UpstreamBody {
  private iterator?: AsyncIterator<Buffer>;

  constructor(private readonly stream: Readable) {}

  get locked(): boolean {
    return this.iterator !== undefined;
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    this.iterator ??= this.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    return this.iterator;
  }

  getReader(): {
    read(): Promise<{ done: boolean; value?: Uint8Array }>;
    releaseLock(): void;
    cancel(): Promise<void>;
    closed: Promise<void>;
  } {
    const iterator = this[Symbol.asyncIterator]();
    return {
      read: async () => {
        const next = await iterator.next();
        return next.done ? { done: true, value: undefined } : { done: false, value: next.value };
      },
      releaseLock: () => {},
      cancel: () => this.cancel(),
      closed: new Promise<void>((resolve) => this.stream.once('close', () => resolve())),
    };
  }

  async cancel(): Promise<void> {
    this.stream.destroy();
  }
}

type ResponseData = Dispatcher.ResponseData;

class UpstreamResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers: UpstreamHeaders;
  readonly redirected = false;
  readonly type = 'basic';
  private used = false;
  private bodyView?: UpstreamBody;

  constructor(
    readonly url: string,
    private readonly data: ResponseData,
  ) {
    this.status = data.statusCode;
    this.statusText = STATUS_CODES[data.statusCode] ?? '';
    this.ok = data.statusCode >= 200 && data.statusCode < 300;
    this.headers = new UpstreamHeaders(data.headers);
  }

  get body(): UpstreamBody {
    this.used = true;
    this.bodyView ??= new UpstreamBody(this.data.body);
    return this.bodyView;
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  json(): Promise<unknown> {
    this.used = true;
    return this.data.body.json();
  }

  text(): Promise<string> {
    this.used = true;
    return this.data.body.text();
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    this.used = true;
    return this.data.body.arrayBuffer();
  }

  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(await this.arrayBuffer());
  }

  async blob(): Promise<Blob> {
    this.used = true;
    return this.data.body.blob();
  }
}
