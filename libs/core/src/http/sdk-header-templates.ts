/** The part of a Stainless SDK's request options (openai, @anthropic-ai/sdk) that decides its headers. */
export interface SdkCallOptions {
  method: string;
  path: string;
  query?: object | null;
  defaultBaseURL?: string;
  signal?: AbortSignal | null;
  body?: unknown;
  headers?: unknown;
  timeout?: number;
  fetchOptions?: unknown;
  idempotencyKey?: string;
  __security?: unknown;
}

/** What a Stainless SDK's `buildRequest` returns, as far as this file needs it. */
export interface SdkBuiltRequest {
  req: { headers?: unknown };
}

/** What a Stainless SDK's `buildRequest` returns for a JSON call. */
export interface SdkJsonRequest {
  req: { method: string; headers: Headers; signal?: AbortSignal; body: string };
  url: string;
  timeout: number;
}

/** The parts of a Stainless SDK client a JSON call's request is built from, as its `buildRequest` uses them. */
export interface SdkClientParts {
  buildURL(path: string, query: Record<string, unknown> | null | undefined, defaultBaseURL?: string): string;
  timeout: number;
}

/** Templates per client are few (one per timeout a call may carry); more means something varies per call. */
const MAX_TEMPLATES = 8;

/**
 * The request headers of one Stainless SDK client (openai, @anthropic-ai/sdk), built by the SDK for the
 * first JSON call of a kind and copied for the next ones.
 *
 * Those SDKs merge the same dozen headers (user agent, platform, version, auth, content type) through
 * WHATWG `Headers` again on every call, validating every name and value: ~10 µs a call, and with the
 * garbage it leaves about a fifth of a small request's CPU under load (docs/PERFORMANCE.md). For one client
 * they only change with what `keyOf` looks at, so a call of a known kind gets a copy of the template (a
 * `Headers` copied from a `Headers` is a list copy, ~1.5 µs, and leaves the SDK free to change its own).
 * Each adapter's client subclass hands its SDK's public `buildRequest` to `buildRequest` below.
 */
export class SdkHeaderTemplates {
  private readonly templates = new Map<string, Headers>();

  /**
   * The request as the SDK's `buildRequest` (`slow`) builds it. A call whose kind has a template gets a copy
   * of its headers, and the rest built as the SDK builds it for a JSON body (openai and @anthropic-ai/sdk
   * client.ts, `buildRequest` and `buildBody`: the URL, the method, the signal, `JSON.stringify` of the
   * body and the timeout); each adapter's spec compares the two on every kind of call it makes.
   */
  async buildRequest<Built extends SdkBuiltRequest>(
    client: SdkClientParts,
    options: SdkCallOptions,
    retryCount: number,
    slow: () => Promise<Built>,
  ): Promise<Built | SdkJsonRequest> {
    const key = keyOf(options, retryCount);
    const template = key === undefined ? undefined : this.templates.get(key);
    if (template) {
      return {
        req: {
          method: options.method,
          headers: new Headers(template),
          ...(options.signal ? { signal: options.signal } : {}),
          body: JSON.stringify(options.body),
        },
        // As the SDKs' buildRequest passes it.
        url: client.buildURL(options.path, options.query as Record<string, unknown>, options.defaultBaseURL),
        timeout: options.timeout ?? client.timeout,
      };
    }
    const built = await slow();
    const headers = built.req.headers;
    if (key !== undefined && headers instanceof Headers && this.templates.size < MAX_TEMPLATES) {
      this.templates.set(key, new Headers(headers));
    }
    return built;
  }
}

/**
 * The kind of a call whose headers depend only on the client: a first attempt with a plain JSON object
 * body, and no per-call headers (or an empty set), fetch options or idempotency key. Its kind is the
 * method, the timeout (the SDK sends `X-Stainless-Timeout`) and the auth schemes. Anything else is built
 * by the SDK.
 */
function keyOf(options: SdkCallOptions, retryCount: number): string | undefined {
  if (retryCount !== 0 || !isPlainObject(options.body) || !hasNoHeaders(options.headers)) return undefined;
  if (options.fetchOptions !== undefined || options.idempotencyKey !== undefined) return undefined;
  // The auth schemes (openai's `{bearerAuth: true}`) pick which auth headers are sent.
  const security = options.__security === undefined ? '' : JSON.stringify(options.__security);
  return `${options.method} ${options.timeout ?? ''} ${security}`;
}

function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * No per-call headers: none at all, or the SDKs' own empty merged set (`{values: Headers, nulls: Set}`,
 * which @anthropic-ai/sdk's `messages.create` always passes).
 */
function hasNoHeaders(headers: unknown): boolean {
  if (headers === undefined || headers === null) return true;
  if (typeof headers !== 'object') return false;
  const { values, nulls } = headers as { values?: unknown; nulls?: unknown };
  if (!(values instanceof Headers) || !(nulls instanceof Set) || nulls.size > 0) return false;
  for (const _ of values.keys()) return false;
  return Object.keys(headers).length === 2;
}
