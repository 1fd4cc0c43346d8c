import { PassThrough } from 'node:stream';
import { BLOCK_BYTES, BlockPool } from '@app/core';
import { readBody, SMALL_CHUNK_BYTES } from './read-body';

function stream(chunks: Array<string | Buffer>, ending: 'end' | 'error' = 'end'): PassThrough {
  const payload = new PassThrough();
  setImmediate(() => {
    for (const chunk of chunks) payload.write(chunk);
    if (ending === 'end') payload.end();
    else payload.destroy(new Error('aborted'));
  });
  return payload;
}

describe('readBody', () => {
  it('gives a body that came in one read as that very buffer (no copy)', async () => {
    const whole = Buffer.from('{"a":1}');
    const chunks = await readBody(stream([whole]), '7', 100);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toBe(whole);
  });

  it('joins small reads into one block, checked against the declared length', async () => {
    const chunks = await readBody(stream(['{"a":', Buffer.from('1}')]), '7', 100);
    expect(chunks.map((chunk) => chunk.toString())).toEqual(['{"a":1}']);
  });

  it('reads an upload without a length (chunked)', async () => {
    expect(Buffer.concat(await readBody(stream(['ab', 'cd', 'e']), undefined, 100)).toString()).toBe('abcde');
  });

  it.each([
    ['declared over the limit (before reading)', ['x'], '101', 413, 'FST_ERR_CTP_BODY_TOO_LARGE'],
    [
      'chunked and over the limit',
      ['x'.repeat(60), 'y'.repeat(60)],
      undefined,
      413,
      'FST_ERR_CTP_BODY_TOO_LARGE',
    ],
    ['shorter than declared', ['abc'], '5', 400, 'FST_ERR_CTP_INVALID_CONTENT_LENGTH'],
    ['longer than declared', ['abcdef'], '5', 400, 'FST_ERR_CTP_INVALID_CONTENT_LENGTH'],
  ])('refuses a body %s', async (_label, chunks, length, statusCode, code) => {
    await expect(readBody(stream(chunks), length, 100)).rejects.toMatchObject({ statusCode, code });
  });

  it('copies tiny reads together into blocks (a body sent a few bytes at a time stays a few buffers)', async () => {
    const pieces = Array.from({ length: 20_000 }, (_, index) => `${index % 10}`.repeat(7));
    const text = pieces.join('');
    const chunks = await readBody(stream(pieces), String(text.length), 1_000_000);
    expect(Buffer.concat(chunks).toString()).toBe(text);
    expect(chunks.length).toBeLessThanOrEqual(Math.ceil(text.length / (64 * 1024)) + 1);
  });

  it('keeps large reads as they are, between blocks of small ones, in order', async () => {
    const large = Buffer.alloc(SMALL_CHUNK_BYTES, 0x62);
    const chunks = await readBody(stream(['a', 'b', large, 'c']), String(SMALL_CHUNK_BYTES + 3), 1_000_000);
    expect(chunks.map((chunk) => chunk.length)).toEqual([2, SMALL_CHUNK_BYTES, 1]);
    expect(chunks[1]).toBe(large);
  });

  it('turns a broken stream into a 400', async () => {
    await expect(readBody(stream(['ab'], 'error'), '10', 100)).rejects.toMatchObject({ statusCode: 400 });
  });

  it('with a lease, copies every read into its pooled blocks: the body is views of them, in order', async () => {
    const pool = new BlockPool(16);
    const lease = pool.lease();
    const reads = [Buffer.alloc(700_000, 0x61), Buffer.alloc(600_000, 0x62), Buffer.from('tail')];
    const total = 1_300_004;
    const chunks = await readBody(stream(reads), String(total), 10_000_000, lease);
    expect(Buffer.concat(chunks).equals(Buffer.concat(reads))).toBe(true);
    // Full blocks, then one with the rest; none of the socket's buffers is kept.
    const full = Math.floor(total / BLOCK_BYTES);
    expect(chunks.map((chunk) => chunk.length)).toEqual([
      ...Array<number>(full).fill(BLOCK_BYTES),
      total - full * BLOCK_BYTES,
    ]);
    for (const chunk of chunks) expect(reads.some((read) => read.buffer === chunk.buffer)).toBe(false);
    lease.release();
    expect(pool.idleBlocks).toBe(full + 1);
  });

  it('a lease that ends while the body arrives (the client has gone) fails the read with a 499', async () => {
    const lease = new BlockPool(4).lease();
    const payload = new PassThrough();
    const reading = readBody(payload, '20', 100, lease);
    payload.write('0123456789');
    await new Promise(setImmediate);
    lease.release();
    payload.write('0123456789');
    await expect(reading).rejects.toMatchObject({ status: 499 });
  });

  it('a body of unknown length goes into the lease only from 256 KiB on (a small one holds no block)', async () => {
    const pool = new BlockPool(4);
    const small = pool.lease();
    const smallChunks = await readBody(stream(['{"a":', '1}']), undefined, 10_000_000, small);
    expect(Buffer.concat(smallChunks).toString()).toBe('{"a":1}');
    small.release();
    expect(pool.idleBlocks).toBe(0);

    const large = pool.lease();
    const reads = [Buffer.alloc(200_000, 0x61), Buffer.alloc(200_000, 0x62)];
    const largeChunks = await readBody(stream(reads), undefined, 10_000_000, large);
    expect(Buffer.concat(largeChunks).equals(Buffer.concat(reads))).toBe(true);
    expect(largeChunks[0]).toBe(reads[0]);
    large.release();
    expect(pool.idleBlocks).toBe(1);
  });
});
