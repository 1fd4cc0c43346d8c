import { PassThrough } from 'node:stream';
import { readBody } from './read-body';

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
  it('gives the chunks as they arrived (no join), checked against the declared length', async () => {
    const second = Buffer.from('1}');
    const chunks = await readBody(stream(['{"a":', second]), '7', 100);
    expect(chunks.map((chunk) => chunk.toString())).toEqual(['{"a":', '1}']);
    expect(chunks[1]).toBe(second);
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

  it('turns a broken stream into a 400', async () => {
    await expect(readBody(stream(['ab'], 'error'), '10', 100)).rejects.toMatchObject({ statusCode: 400 });
  });
});
