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
    return parseStreamEvent(data);
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

const TEXT_DELTA_START = '{"type":"content_block_delta","index":';
const TEXT_DELTA_MIDDLE = ',"delta":{"type":"text_delta","text":';
const BLOCK_INDEX = /^(?:0|[1-9]\d{0,8})$/;

/**
 * An event's data → the event, as `JSON.parse` gives it. Most of a stream is text deltas, which Claude sends
 * in one fixed form; for those only the text's string literal goes through `JSON.parse` and the two objects
 * around it are built here (~40 % less time per event than parsing the whole). Anything that is not exactly
 * that form (other key order, spaces, more keys, an index with leading zeros) is parsed whole.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming#text-delta
 */
export function parseStreamEvent(data: string): RawMessageStreamEvent {
  if (data.startsWith(TEXT_DELTA_START) && data.endsWith('"}}')) {
    const middle = data.indexOf(TEXT_DELTA_MIDDLE, TEXT_DELTA_START.length);
    if (middle > 0) {
      const index = data.slice(TEXT_DELTA_START.length, middle);
      const literal = data.slice(middle + TEXT_DELTA_MIDDLE.length, data.length - 2);
      if (BLOCK_INDEX.test(index) && literal.charCodeAt(0) === 34) {
        let text: unknown;
        try {
          text = JSON.parse(literal);
        } catch {
          // Not one string literal (e.g. the text is followed by more keys): parsed whole below.
        }
        if (typeof text === 'string') {
          return { type: 'content_block_delta', index: Number(index), delta: { type: 'text_delta', text } };
        }
      }
    }
  }
  return JSON.parse(data) as RawMessageStreamEvent;
}
