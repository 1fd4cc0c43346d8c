import { FetchCache } from './fetch-cache';

describe('FetchCache', () => {
  const bytes = (size: number) => Buffer.alloc(size, 7);

  it('returns what was stored until the TTL passes', () => {
    let now = 1_000;
    const cache = new FetchCache(100, 50, () => now);
    cache.set('a', bytes(10));
    expect(cache.get('a')?.length).toBe(10);
    now += 49;
    expect(cache.get('a')).toBeDefined();
    now += 1;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });

  it('evicts the least recently used entries to stay within its byte budget', () => {
    const cache = new FetchCache(100, 60_000);
    cache.set('a', bytes(40));
    cache.set('b', bytes(40));
    cache.get('a'); // b is now the least recently used
    cache.set('c', bytes(40));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.bytes).toBe(80);
  });

  it('never stores an entry bigger than the whole budget, and replaces an existing key', () => {
    const cache = new FetchCache(100, 60_000);
    cache.set('huge', bytes(101));
    expect(cache.size).toBe(0);
    cache.set('a', bytes(30));
    cache.set('a', bytes(20));
    expect(cache.bytes).toBe(20);
    expect(cache.size).toBe(1);
  });

  it('is off with a zero TTL', () => {
    const cache = new FetchCache(100, 0);
    cache.set('a', bytes(1));
    expect(cache.get('a')).toBeUndefined();
  });
});
