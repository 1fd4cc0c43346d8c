import { APIError } from 'openai';
import { GatewayError, readServerSentEvents, type ChatCompletionChunk } from '@app/core';

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
export async function* openAiStreamChunks(
  response: Response,
  /** Called on every read of the body (the stream's deadline). */
  onRead?: () => void,
): AsyncGenerator<ChatCompletionChunk[]> {
  if (!response.body) return;
  let done = false;
  let finished = false;
  for await (const batch of readServerSentEvents(response.body, onRead)) {
    if (done) continue;
    const chunks: ChatCompletionChunk[] = [];
    for (const { data } of batch) {
      if (data.startsWith('[DONE]')) {
        done = true;
        break;
      }
      let chunk: ChatCompletionChunk;
      try {
        chunk = parseChunk(data, response.headers);
      } catch (error) {
        if (chunks.length > 0) yield chunks;
        throw error;
      }
      if (!finished) finished = chunk.choices?.some((choice) => choice.finish_reason != null) ?? false;
      chunks.push(chunk);
    }
    if (chunks.length > 0) yield chunks;
  }
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
