import type { Readable } from 'node:stream';
import { errorCodes } from 'fastify';

/**
 * At most this much is copied in one turn of the event loop; then reading pauses until the next turn. Node
 * reads up to 32 socket reads (2 MiB) per turn, and copying that into a fresh multi-MB buffer costs its page
 * faults in that turn (measured 13–16 ms on the benchmark VM).
 */
export const READ_TURN_BYTES = 512 * 1024;

/**
 * Reads a request body into one buffer. With a Content-Length (every SDK sends one) the buffer is allocated
 * once at that size and each chunk is copied in as it arrives, instead of Fastify's way of keeping every
 * chunk and concatenating them at the end: that held the body twice at the end of the read (twice a 20 MB
 * image) and did the whole multi-MB copy in one synchronous step. Without a length (a chunked upload) the
 * chunks are kept and joined. The errors are Fastify's own (413 over the limit, 400 for a body that ends
 * short or a broken stream), so the envelope mapping stays in one place (error-envelope.ts).
 */
export function readBody(
  payload: Readable,
  contentLengthHeader: string | undefined,
  limit: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = contentLengthHeader === undefined ? NaN : Number(contentLengthHeader);
    if (declared > limit) {
      reject(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      return;
    }
    const known = Number.isInteger(declared) && declared >= 0;
    const buffer = known ? Buffer.allocUnsafe(declared) : undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    let receivedThisTurn = 0;
    const nextTurn = (): void => {
      receivedThisTurn = 0;
      payload.resume();
    };

    const finish = (error?: Error): void => {
      payload.off('data', onData);
      payload.off('end', onEnd);
      payload.off('error', onError);
      if (error) reject(error);
    };
    const onData = (chunk: Buffer | string): void => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (received + bytes.length > limit) {
        finish(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
        return;
      }
      if (buffer) {
        if (received + bytes.length > buffer.length) {
          finish(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
          return;
        }
        bytes.copy(buffer, received);
      } else {
        chunks.push(bytes);
      }
      received += bytes.length;
      receivedThisTurn += bytes.length;
      if (receivedThisTurn >= READ_TURN_BYTES) {
        payload.pause();
        setImmediate(nextTurn);
      }
    };
    const onEnd = (): void => {
      finish();
      if (buffer) {
        if (received !== buffer.length) reject(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
        else resolve(buffer);
        return;
      }
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received));
    };
    const onError = (error: Error & { statusCode?: number }): void => {
      if (!(typeof error.statusCode === 'number' && error.statusCode >= 400)) error.statusCode = 400;
      finish(error);
    };
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
    payload.resume();
  });
}
