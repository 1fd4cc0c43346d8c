import { GoogleGenAI } from '@google/genai';
import { Agent } from 'undici';
import { createUpstreamFetch, GatewayError, type BackendSettings } from '@app/core';

export interface GeminiClient {
  client: GoogleGenAI;
  /** Pooled connections; no undici header/body deadline (the adapter enforces `timeoutMs` itself). */
  dispatcher: Agent;
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
  return { client, dispatcher: new Agent({ headersTimeout: 0, bodyTimeout: 0 }) };
}

/**
 * A fetch for one call that hands the upstream response to `record`: the adapter reads a stream's body
 * itself, and takes `Retry-After` from a failed response (the SDK's ApiError drops headers).
 */
export function fetchRecordingResponse(
  dispatcher: Agent,
  record: (response: Response) => void,
): typeof fetch {
  // The lean fetch on the same dispatcher (libs/core/src/http/upstream-fetch.ts): no WHATWG fetch per call.
  const transport = createUpstreamFetch(dispatcher);
  const recording = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const response = await transport(input, init);
    record(response);
    return response;
  };
  return recording as typeof fetch;
}
