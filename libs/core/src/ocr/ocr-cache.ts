import { createHash } from 'node:crypto';
import { forEachDecodedWindow, type Base64Data } from '../images/base64-bytes';

/**
 * Where OCR-mode analyses are kept between requests. Pluggable (e.g. Redis) so several gateway instances can
 * share it; sync and async stores both work. A store that throws is treated as a miss: it is only a cache.
 */
export interface OcrCache {
  get(key: string): Promise<string | undefined> | string | undefined;
  set(key: string, text: string): Promise<void> | void;
}

/**
 * SHA-256 of an image's decoded bytes, hashed window by window over turns of the event loop: a 20 MB image is
 * neither decoded into one buffer nor hashed in one long turn.
 */
export async function ocrImageDigest(imageBase64: Base64Data): Promise<string> {
  const hash = createHash('sha256');
  await forEachDecodedWindow(imageBase64, (bytes) => hash.update(bytes));
  return hash.digest('hex');
}

/**
 * The cache key: the image's digest (`ocrImageDigest`) + the analysing model + the prompt version, so a new
 * prompt or another OCR model never serves a stale analysis.
 */
export function ocrCacheKey(imageDigest: string, ocrModel: string, promptVersion: string): string {
  return `${imageDigest}:${ocrModel}:${promptVersion}`;
}

export interface LruOcrCacheOptions {
  /** Most analyses kept (default 1000). */
  maxEntries?: number;
  /** Most characters kept over all analyses (default 8 million, a few tens of MB at most). */
  maxTotalCharacters?: number;
}

/** The default store: a bounded in-memory LRU (a Map keeps insertion order; a hit moves the entry to the end). */
export class LruOcrCache implements OcrCache {
  private readonly entries = new Map<string, string>();
  private totalCharacters = 0;
  private readonly maxEntries: number;
  private readonly maxTotalCharacters: number;

  constructor(options: LruOcrCacheOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? 1000);
    this.maxTotalCharacters = Math.max(1, options.maxTotalCharacters ?? 8_000_000);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): string | undefined {
    const text = this.entries.get(key);
    if (text === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, text);
    return text;
  }

  set(key: string, text: string): void {
    // One analysis larger than the whole budget is not kept (it would evict everything else).
    if (text.length > this.maxTotalCharacters) return;
    this.delete(key);
    this.entries.set(key, text);
    this.totalCharacters += text.length;
    while (this.entries.size > this.maxEntries || this.totalCharacters > this.maxTotalCharacters) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.delete(oldest);
    }
  }

  private delete(key: string): void {
    const previous = this.entries.get(key);
    if (previous === undefined) return;
    this.totalCharacters -= previous.length;
    this.entries.delete(key);
  }
}
