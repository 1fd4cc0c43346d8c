interface Entry {
  bytes: Buffer;
  expiresAt: number;
}

/**
 * Recently fetched images, bounded by total bytes (not entry count: one 20 MB image weighs as much as a thousand
 * thumbnails), each kept for a short TTL. A Map iterates in insertion order, so re-inserting on a hit makes
 * its first key the least recently used.
 */
export class FetchCache {
  private readonly entries = new Map<string, Entry>();
  private totalBytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get(key: string): Buffer | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) {
      this.totalBytes -= entry.bytes.length;
      return undefined;
    }
    this.entries.set(key, entry);
    return entry.bytes;
  }

  set(key: string, bytes: Buffer): void {
    if (this.ttlMs <= 0 || bytes.length > this.maxBytes) return;
    const previous = this.entries.get(key);
    if (previous) {
      this.entries.delete(key);
      this.totalBytes -= previous.bytes.length;
    }
    this.entries.set(key, { bytes, expiresAt: this.now() + this.ttlMs });
    this.totalBytes += bytes.length;
    for (const [oldestKey, oldest] of this.entries) {
      if (this.totalBytes <= this.maxBytes) break;
      this.entries.delete(oldestKey);
      this.totalBytes -= oldest.bytes.length;
    }
  }

  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }
}
