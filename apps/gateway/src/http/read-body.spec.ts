import { PassThrough } from 'node:stream';
import { READ_TURN_BYTES, readBody } from './read-body';

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
  it('fills one buffer of the declared length, chunk by chunk', async () => {
    const body = await readBody(stream(['{"a":', Buffer.from('1}')]), '7', 100);
    expect(body.toString()).toBe('{"a":1}');
    expect(body.length).toBe(7);
  });

  it('joins the chunks of an upload without a length (chunked)', async () => {
    expect((await readBody(stream(['ab', 'cd', 'e']), undefined, 100)).toString()).toBe('abcde');
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

  it('copies at most READ_TURN_BYTES per turn of the event loop, and still gets every byte', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const count = 64; // 4 MiB, all available at once
    const payload = new PassThrough({ highWaterMark: count * chunk.length });
    for (let index = 0; index < count; index++) payload.write(chunk);
    payload.end();
    let copied = 0;
    payload.on('data', (data: Buffer) => (copied += data.length));
    const perTurn: number[] = [];
    let last = 0;
    const probe = (): void => {
      perTurn.push(copied - last);
      last = copied;
      if (copied < count * chunk.length) setImmediate(probe);
    };
    setImmediate(probe);
    const body = await readBody(payload, String(count * chunk.length), 8 * 1024 * 1024);
    expect(body.length).toBe(count * chunk.length);
    expect(body.every((byte) => byte === 0x61)).toBe(true);
    expect(Math.max(...perTurn)).toBeLessThanOrEqual(READ_TURN_BYTES);
    expect(perTurn.filter((bytes) => bytes > 0).length).toBeGreaterThanOrEqual(
      (count * chunk.length) / READ_TURN_BYTES - 1,
    );
  });

  it('turns a broken stream into a 400', async () => {
    await expect(readBody(stream(['ab'], 'error'), '10', 100)).rejects.toMatchObject({ statusCode: 400 });
  });
});
