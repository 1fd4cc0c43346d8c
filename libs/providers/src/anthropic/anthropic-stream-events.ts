import { APIError } from '@anthropic-ai/sdk';
import type { ErrorType } from '@anthropic-ai/sdk/resources/shared';
import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages/messages';
import { readParsedServerSentEvents } from '@app/core';

/**
 * The body of a streamed Messages call → Claude's stream events, one array per upstream read. This stands
 * in for the SDK's `Stream` on the streaming path and keeps its rules: `ping` and unnamed events skipped,
 * an `error` event thrown as the SDK's `APIError` (its `type` gives the status, see map-anthropic-error.ts).
 * The SDK still makes the call (headers, key, errors before the body); only the SSE body is read here,
 * because the SDK's line decoder and its three async generators per event cost more than the translation.
 * Events before an `error` (or unparsable data) in the same read are handed on first, as the SDK would.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming#event-types
 */
export function anthropicStreamEvents(response: Response): AsyncIterable<RawMessageStreamEvent[]> {
  return readParsedServerSentEvents(response.body, ({ event, data }) => {
    if (event === 'ping' || event === '' || data === '') return undefined;
    if (event === 'error') throw streamError(data, response.headers);
    return JSON.parse(data) as RawMessageStreamEvent;
  });
}

/** As the SDK builds it: the parsed body (or the raw text), its `error.type`, the response's headers. */
function streamError(data: string, headers: Headers): APIError {
  let body: unknown = data;
  try {
    body = JSON.parse(data);
  } catch {
    // not JSON: the text itself is the error body
  }
  const type = (body as { error?: { type?: ErrorType } } | null)?.error?.type;
  return new APIError(undefined, body as object, undefined, headers, type);
}
