import { peekFirst } from './peek-first';

describe('peekFirst', () => {
  it('throws the first error before returning', async () => {
    async function* failing(): AsyncIterable<number> {
      await Promise.resolve();
      throw new Error('before the first item');
      yield 1;
    }
    await expect(peekFirst(failing())).rejects.toThrow('before the first item');
  });

  it('replays the first item, then the rest, and stops the source when the consumer stops', async () => {
    const seen: string[] = [];
    async function* source(): AsyncIterable<number> {
      try {
        for (let index = 1; index <= 5; index++) {
          seen.push(`produce ${index}`);
          yield index;
        }
      } finally {
        seen.push('source stopped');
      }
    }
    const peeked = await peekFirst(source());
    expect(seen).toEqual(['produce 1']);
    const taken: number[] = [];
    for await (const value of peeked) {
      taken.push(value);
      if (value === 2) break;
    }
    expect(taken).toEqual([1, 2]);
    expect(seen).toEqual(['produce 1', 'produce 2', 'source stopped']);
  });

  it('handles an empty source', async () => {
    async function* empty(): AsyncIterable<number> {}
    const values: number[] = [];
    for await (const value of await peekFirst(empty())) values.push(value);
    expect(values).toEqual([]);
  });

  it('applies `each` to every item, the first included, as it passes', async () => {
    async function* source(): AsyncIterable<{ model: string }> {
      yield { model: 'upstream-a' };
      yield { model: 'upstream-b' };
    }
    const seen: string[] = [];
    for await (const item of await peekFirst(source(), (value) => (value.model = 'client-name')))
      seen.push(item.model);
    expect(seen).toEqual(['client-name', 'client-name']);
  });
});
