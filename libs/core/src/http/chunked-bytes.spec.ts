import { BlockPool } from './block-pool';
import { ChunkedBytes } from './chunked-bytes';

const PATTERN = Buffer.from('"data:', 'latin1');

/** `text` cut at the given positions (empty chunks allowed, as a stream may deliver them). */
function cut(text: string, ...at: number[]): ChunkedBytes {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  let from = 0;
  for (const position of [...at, bytes.length]) {
    chunks.push(bytes.subarray(from, position));
    from = position;
  }
  return new ChunkedBytes(chunks);
}

describe('ChunkedBytes', () => {
  const text = 'ab"data:xyz"data:';

  it.each([
    ['one chunk', []],
    ['the pattern split in two', [4]],
    ['the pattern split across three chunks, with an empty one', [3, 5, 5, 6]],
    ['one byte per chunk', Array.from({ length: 16 }, (_, index) => index + 1)],
  ])('finds sequences and bytes as one buffer would: %s', (_label, at) => {
    const body = cut(text, ...at);
    const whole = Buffer.from(text);
    expect(body.length).toBe(whole.length);
    for (let from = 0; from <= whole.length; from++) {
      expect(body.indexOf(PATTERN, from)).toBe(whole.indexOf(PATTERN, from));
      expect(body.indexOf(0x22, from)).toBe(whole.indexOf(0x22, from));
    }
    for (let position = -1; position <= whole.length; position++)
      expect(body.byteAt(position)).toBe(whole[position]);
    expect(body.toString('latin1', 1, 15)).toBe(text.slice(1, 15));
    expect(Buffer.concat(body.slices(3, 12)).toString()).toBe(text.slice(3, 12));
  });

  it('decodes UTF-8 whose characters are split between chunks', () => {
    const body = cut('é✓🙂', 1, 3, 6);
    expect(body.toString('utf8', 0, body.length)).toBe('é✓🙂');
    expect(body.isAscii(0, body.length)).toBe(false);
    expect(cut('plain ascii', 3).isAscii(0, 11)).toBe(true);
    expect(cut('é✓🙂 and ascii', 1, 3, 6).text()).toBe('é✓🙂 and ascii');
    expect(cut('plain ascii', 3).text(2, 9)).toBe('ain asc');
  });

  it('gives views of the chunks, never copies', () => {
    const first = Buffer.from('hello ');
    const second = Buffer.from('world');
    const slices = new ChunkedBytes([first, second]).slices(2, 9);
    expect(slices.map((slice) => slice.toString())).toEqual(['llo ', 'wor']);
    expect(slices[0].buffer).toBe(first.buffer);
    expect(slices[1].buffer).toBe(second.buffer);
  });

  it('bytes in pooled memory refuse every read once their lease has ended (499), never reading reused memory', () => {
    const lease = new BlockPool(4).lease();
    const block = lease.block();
    block.write('hello world', 'latin1');
    const body = new ChunkedBytes([block.subarray(0, 5), block.subarray(5, 11)], lease);
    expect(body.text()).toBe('hello world');
    lease.release();
    const reads: Array<() => unknown> = [
      () => body.text(),
      () => body.byteAt(0),
      () => body.indexOf(0x20),
      () => body.toString('latin1', 0, 5),
      () => body.slices(0, 5),
      () => body.isAscii(0, 5),
      () => body.chunks,
    ];
    for (const read of reads) expect(read).toThrow(expect.objectContaining({ status: 499 }));
  });
});
