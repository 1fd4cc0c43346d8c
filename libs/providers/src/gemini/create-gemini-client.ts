import { GoogleGenAI } from '@google/genai';
import { Agent } from 'undici';
import { createUpstreamFetch, GatewayError, type BackendSettings } from '@app/core';

export interface GeminiClient {
  client: GoogleGenAI;
  /** Pooled connections; no undici header deadline (the adapter's AnswerDeadline enforces `timeoutMs`). */
  dispatcher: Agent;
  /** The lean fetch on that dispatcher (libs/core/src/http/upstream-fetch.ts), shared by every call. */
  transport: typeof fetch;
}

/**
 * The SDK client: key in the `x-goog-api-key` header (the SDK never puts it in the URL), base URL from
 * config, no SDK retries (no `retryOptions`), no SDK timeout (the adapter owns deadlines and aborts).
 * @see https://ai.google.dev/api#api-keys
 */
export function createGeminiClient(backend: BackendSettings): GeminiClient {
  if (!backend.apiKey) {
    throw new GatewayError(500, `Backend '${backend.name}' (gemini) needs an API key.`, {
      code: 'invalid_config',
    });
  }
  const apiVersion = backend.options.apiVersion;
  if (apiVersion !== undefined && typeof apiVersion !== 'string') {
    throw new GatewayError(500, `Backend '${backend.name}': options.apiVersion must be a string.`, {
      code: 'invalid_config',
    });
  }
  for (const key of Object.keys(backend.options)) {
    if (key !== 'apiVersion')
      throw new GatewayError(500, `Backend '${backend.name}': unknown Gemini option '${key}'.`, {
        code: 'invalid_config',
      });
  }
  const client = new GoogleGenAI({
    apiKey: backend.apiKey,
    ...(apiVersion ? { apiVersion } : {}),
    httpOptions: {
      ...(backend.baseUrl ? { baseUrl: backend.baseUrl } : {}),
      headers: { ...backend.headers },
    },
  });
  const dispatcher = new Agent({ headersTimeout: 0, bodyTimeout: 0 });
  // The silence allowed inside a body is the backend's timeoutMs (until the answer, the adapter's deadline).
  const transport = createUpstreamFetch(dispatcher, { bodyTimeoutMs: backend.timeoutMs });
  return { client, dispatcher, transport };
}

/**
 * A fetch for one call on the adapter's shared transport: it hands the upstream response to `record` (the
 * adapter reads a stream's body itself, and takes `Retry-After` from a failed response: the SDK's ApiError
 * drops headers), and sends the request with the call's own `signal`. The signal is given here rather than
 * as the SDK's `abortSignal`, which the SDK would link to a fresh AbortController of its own on every call
 * (createAttemptSignal) and never unlink on success; the fetch and its body stream obey it the same way.
 */
export function fetchRecordingResponse(
  transport: typeof fetch,
  signal: AbortSignal,
  record: (response: Response) => void,
): typeof fetch {
  const recording = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const response = await transport(input, { ...init, signal });
    record(response);
    return response;
  };
  return recording as typeof fetch;
}
