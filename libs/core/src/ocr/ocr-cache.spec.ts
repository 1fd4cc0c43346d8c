import { createHash, randomBytes } from 'node:crypto';
import { ChunkedBytes } from '../http/chunked-bytes';
import { Base64Bytes } from '../images/base64-bytes';
import { splitInto } from '../images/__fixtures__/sample-images';
import { LruOcrCache, ocrCacheKey, ocrImageDigest } from './ocr-cache';

const PNG_A = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');
const PNG_B = Buffer.from('89504e470d0a1a0a0000000d49484453', 'hex').toString('base64');

describe('ocrImageDigest / ocrCacheKey', () => {
  it('keys by the SHA-256 of the decoded bytes with the model and prompt version', async () => {
    const digest = await ocrImageDigest(PNG_A);
    expect(digest).toBe(createHash('sha256').update(Buffer.from(PNG_A, 'base64')).digest('hex'));
    expect(ocrCacheKey(digest, 'local-ocr', 'v1')).toBe(`${digest}:local-ocr:v1`);
  });

  it('gives the same digest for the request-bytes form of a multi-megabyte image, window by window', async () => {
    const bytes = randomBytes(3_000_000);
    const text = bytes.toString('base64');
    const asChunks = new Base64Bytes(
      new ChunkedBytes(splitInto(Buffer.from(text, 'latin1'), 65_537)),
      'placeholder',
    );
    const expected = createHash('sha256').update(bytes).digest('hex');
    expect(await ocrImageDigest(text)).toBe(expected);
    expect(await ocrImageDigest(asChunks)).toBe(expected);
  });

  it.each([
    ['other bytes', PNG_B, 'local-ocr', 'v1'],
    ['other model', PNG_A, 'gpt-4o', 'v1'],
    ['other prompt version', PNG_A, 'local-ocr', 'v2'],
  ])('changes with %s', async (_name, image, model, version) => {
    expect(ocrCacheKey(await ocrImageDigest(image), model, version)).not.toBe(
      ocrCacheKey(await ocrImageDigest(PNG_A), 'local-ocr', 'v1'),
    );
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
