import type { Readable } from 'node:stream';
import { errorCodes } from 'fastify';
import type { BlockLease } from '@app/core';
import { LARGE_BODY_BYTES } from './parse-large-json';

/** Chunks smaller than this are copied together into blocks (a slow or hostile sender's tiny reads). */
export const SMALL_CHUNK_BYTES = 16 * 1024;
/** Size of the blocks small reads are copied into (large bodies use the pooled blocks of their lease). */
const SMALL_READS_BLOCK_BYTES = 64 * 1024;

/**
 * Reads a request body as the chunks the socket delivered, never joined here: large bodies are parsed over
 * the chunks (`ChunkedBytes`, core), small ones joined by the parser (a copy of a few KiB). Joining a
 * multi-MB body cost a fresh allocation of its size per request, the most expensive part of a 20 MB image
 * request on the benchmark VM (docs/PERFORMANCE.md, item 17). Chunks under 16 KiB are copied together into
 * 64 KiB blocks, so that a body sent in tiny pieces does not become millions of buffers (each has a fixed
 * cost far above a few bytes). The length is checked against the limit as it arrives and against the
 * declared Content-Length at the end. The errors are Fastify's own (413 over the limit, 400 for a body that
 * ends short or a broken stream), so the envelope mapping stays in one place (error-envelope.ts).
 * With a `lease` (large bodies), every chunk is copied at once into the lease's pooled blocks instead
 * (block-pool.ts, core): the socket's own buffers then die young, and the body is views of the blocks. A body
 * of unknown length (chunked) is copied there from its first 256 KiB on.
 */
export function readBody(
  payload: Readable,
  contentLengthHeader: string | undefined,
  limit: number,
  lease?: BlockLease,
): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const declared = contentLengthHeader === undefined ? NaN : Number(contentLengthHeader);
    if (declared > limit) {
      reject(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      return;
    }
    const known = Number.isInteger(declared) && declared >= 0;
    const chunks: Buffer[] = [];
    let received = 0;
    let block: Buffer | undefined;
    let blockUsed = 0;
    const endBlock = (): void => {
      if (block && blockUsed > 0) chunks.push(block.subarray(0, blockUsed));
      block = undefined;
    };
    /** Copies `bytes` into blocks, taking a new one from `newBlock(position in the body)` when one is full. */
    const copyIntoBlocks = (bytes: Buffer, newBlock: (position: number) => Buffer): void => {
      let copied = 0;
      while (copied < bytes.length) {
        if (!block || blockUsed === block.length) {
          endBlock();
          block = newBlock(received + copied);
          blockUsed = 0;
        }
        const count = bytes.copy(block, blockUsed, copied);
        blockUsed += count;
        copied += count;
      }
    };
    const keep = (bytes: Buffer): void => {
      // A body of unknown length goes into the lease only once it is large: a small one would hold a block.
      if (lease && (known || received + bytes.length > LARGE_BODY_BYTES)) {
        // Its current block may already be another request's once the lease has ended.
        lease.assertLive();
        copyIntoBlocks(bytes, () => lease.block());
        return;
      }
      // The whole body in one read (every small request) or a full-size read: kept as it is.
      if (bytes.length >= SMALL_CHUNK_BYTES || (received === 0 && known && bytes.length === declared)) {
        endBlock();
        chunks.push(bytes);
        return;
      }
      copyIntoBlocks(bytes, (position) =>
        Buffer.allocUnsafe(
          known ? Math.min(SMALL_READS_BLOCK_BYTES, declared - position) : SMALL_READS_BLOCK_BYTES,
        ),
      );
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
      if (known && received + bytes.length > declared) {
        finish(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
        return;
      }
      try {
        keep(bytes);
      } catch (error) {
        // The lease ended while the body was still arriving: its client has gone (499).
        finish(error as Error);
        return;
      }
      received += bytes.length;
    };
    const onEnd = (): void => {
      finish();
      endBlock();
      if (known && received !== declared) reject(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
      else resolve(chunks);
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
