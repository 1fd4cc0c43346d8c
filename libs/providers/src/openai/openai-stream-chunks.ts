import { APIError } from 'openai';
import { GatewayError, readParsedServerSentEvents, type ChatCompletionChunk } from '@app/core';

/**
 * The body of a streamed chat completion → its chunks, one array per upstream read. This stands in for the
 * SDK's `Stream` on the streaming path and keeps its rules: each event's data is parsed as JSON (data that is
 * not JSON is an error), a chunk that carries `error` is thrown as the SDK's `APIError` (no status: the
 * upstream failed after the stream began), and everything after `data: [DONE]` is read but ignored (read, so
 * the connection can be reused). The SDK still makes the call (headers, key, errors before the body).
 * Chunks before an error in the same read are handed on first, as the SDK would.
 *
 * One rule is added: a body that ends with neither `[DONE]` nor a finish reason was cut off, and is a 502
 * (the SDK would end quietly, and the client would get a clean `[DONE]` for half an answer).
 * @see https://platform.openai.com/docs/api-reference/chat-streaming
 */
export async function* openAiStreamChunks(response: Response): AsyncGenerator<ChatCompletionChunk[]> {
  let done = false;
  let finished = false;
  const parse = ({ data }: { data: string }): ChatCompletionChunk | undefined => {
    if (done) return undefined;
    if (data.startsWith('[DONE]')) {
      done = true;
      return undefined;
    }
    const chunk = parseChunk(data, response.headers);
    if (!finished) finished = chunk.choices?.some((choice) => choice.finish_reason != null) ?? false;
    return chunk;
  };
  yield* readParsedServerSentEvents(response.body, parse);
  if (!done && !finished) {
    throw new GatewayError(502, 'The upstream stream ended before [DONE].', {
      code: 'upstream_stream_truncated',
    });
  }
}

function parseChunk(data: string, headers: Headers): ChatCompletionChunk {
  const parsed = JSON.parse(data) as ChatCompletionChunk & { error?: object };
  if (parsed?.error) throw new APIError(undefined, parsed.error, undefined, headers);
  return parsed;
}
