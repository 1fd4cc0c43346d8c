import { LruOcrCache, ocrCacheKey } from './ocr-cache';

const PNG_A = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');
const PNG_B = Buffer.from('89504e470d0a1a0a0000000d49484453', 'hex').toString('base64');

describe('ocrCacheKey', () => {
  it('is the SHA-256 of the decoded bytes with the model and prompt version', () => {
    expect(ocrCacheKey(PNG_A, 'local-ocr', 'v1')).toMatch(/^[0-9a-f]{64}:local-ocr:v1$/);
  });

  it.each([
    ['other bytes', PNG_B, 'local-ocr', 'v1'],
    ['other model', PNG_A, 'gpt-4o', 'v1'],
    ['other prompt version', PNG_A, 'local-ocr', 'v2'],
  ])('changes with %s', (_name, image, model, version) => {
    expect(ocrCacheKey(image, model, version)).not.toBe(ocrCacheKey(PNG_A, 'local-ocr', 'v1'));
  });
});

describe('LruOcrCache', () => {
  it('returns what was stored and misses the rest', () => {
    const cache = new LruOcrCache();
    cache.set('a', 'text a');
    expect(cache.get('a')).toBe('text a');
    expect(cache.get('b')).toBeUndefined();
  });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const cache = new LruOcrCache({ maxEntries: 2 });
    cache.set('a', '1');
    cache.set('b', '2');
    cache.get('a'); // a is now the most recent
    cache.set('c', '3');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('1');
    expect(cache.get('c')).toBe('3');
    expect(cache.size).toBe(2);
  });

  it('evicts by total characters and never keeps one entry larger than the budget', () => {
    const cache = new LruOcrCache({ maxTotalCharacters: 10 });
    cache.set('a', '123456');
    cache.set('b', '123456');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe('123456');
    cache.set('huge', 'x'.repeat(11));
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.get('b')).toBe('123456');
  });

  it('replacing a key does not count it twice', () => {
    const cache = new LruOcrCache({ maxTotalCharacters: 10 });
    cache.set('a', '12345678');
    cache.set('a', '87654321');
    cache.set('b', '12');
    expect(cache.get('a')).toBe('87654321');
    expect(cache.get('b')).toBe('12');
  });
});
