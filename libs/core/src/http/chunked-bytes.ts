import { isAscii } from 'node:buffer';
import type { BlockLease } from './block-pool';

/**
 * Bytes kept as the list of buffers they arrived in (a request body as the socket delivered it, or views of
 * part of one), never joined into one buffer: joining a 27 MB body meant a fresh 27 MB allocation per request,
 * and on the benchmark VM writing fresh memory is the expensive part (page faults). Positions are offsets
 * into the whole; reads across chunk boundaries are handled here.
 * Bytes in pooled memory carry its lease: every read checks it first, so bytes whose request has closed are
 * never read (the memory may already hold another request's body).
 */
export class ChunkedBytes {
  readonly length: number;
  /** Where each chunk starts in the body. */
  private readonly starts: number[] = [];

  constructor(
    private readonly buffers: readonly Buffer[],
    readonly lease?: BlockLease,
  ) {
    let length = 0;
    for (const chunk of buffers) {
      this.starts.push(length);
      length += chunk.length;
    }
    this.length = length;
  }

  /** The chunks themselves (no copy). */
  get chunks(): readonly Buffer[] {
    this.lease?.assertLive();
    return this.buffers;
  }

  /** Bytes `[from, to)` as a string: latin1 when they are all ASCII (a plain copy), else UTF-8. */
  text(from = 0, to = this.length): string {
    return this.toString(this.isAscii(from, to) ? 'latin1' : 'utf8', from, to);
  }

  byteAt(position: number): number | undefined {
    this.lease?.assertLive();
    if (position < 0 || position >= this.length) return undefined;
    const index = this.chunkAt(position);
    return this.buffers[index][position - this.starts[index]];
  }

  /** The first position from `from` on where `sequence` starts (also across chunk boundaries), or -1. */
  indexOf(sequence: Buffer | number, from = 0): number {
    this.lease?.assertLive();
    const bytes = typeof sequence === 'number' ? Buffer.of(sequence) : sequence;
    if (from >= this.length) return -1;
    for (let index = this.chunkAt(Math.max(0, from)); index < this.buffers.length; index++) {
      const chunk = this.buffers[index];
      const start = this.starts[index];
      const offset = Math.max(0, from - start);
      const found = chunk.indexOf(bytes, offset);
      if (found >= 0) return start + found;
      // A match that begins in the last bytes of this chunk and ends in the next ones.
      for (let tail = Math.max(offset, chunk.length - bytes.length + 1); tail < chunk.length; tail++) {
        if (this.matchesAt(start + tail, bytes)) return start + tail;
      }
    }
    return -1;
  }

  /** Bytes `[from, to)` as text; `latin1` or, for text that is not all ASCII, `utf8`. */
  toString(encoding: 'latin1' | 'utf8', from: number, to: number): string {
    if (encoding === 'utf8') return this.copy(from, to).toString('utf8'); // a character may span two chunks
    const parts: string[] = [];
    for (const slice of this.slices(from, to)) parts.push(slice.toString('latin1'));
    return parts.length === 1 ? parts[0] : parts.join('');
  }

  /** Bytes `[from, to)` as the chunks themselves or views of them (no copy). */
  slices(from: number, to: number): Buffer[] {
    this.lease?.assertLive();
    const slices: Buffer[] = [];
    if (from >= to) return slices;
    for (let index = this.chunkAt(from); index < this.buffers.length; index++) {
      const start = this.starts[index];
      if (start >= to) break;
      const chunk = this.buffers[index];
      const sliceFrom = Math.max(0, from - start);
      const sliceTo = Math.min(chunk.length, to - start);
      slices.push(sliceFrom === 0 && sliceTo === chunk.length ? chunk : chunk.subarray(sliceFrom, sliceTo));
    }
    return slices;
  }

  isAscii(from: number, to: number): boolean {
    return this.slices(from, to).every((slice) => isAscii(slice));
  }

  /** Bytes `[from, to)` in one buffer: for the small JSON text around the images only. */
  private copy(from: number, to: number): Buffer {
    const slices = this.slices(from, to);
    return slices.length === 1 ? slices[0] : Buffer.concat(slices, to - from);
  }

  private matchesAt(position: number, bytes: Buffer): boolean {
    for (let offset = 0; offset < bytes.length; offset++) {
      if (this.byteAt(position + offset) !== bytes[offset]) return false;
    }
    return true;
  }

  /** The index of the chunk holding `position` (binary search over the chunk starts). */
  private chunkAt(position: number): number {
    let low = 0;
    let high = this.buffers.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.starts[middle] <= position) low = middle;
      else high = middle - 1;
    }
    return low;
  }
}

/** The summed length of a list of buffers. */
export function totalLength(buffers: readonly Buffer[]): number {
  let length = 0;
  for (const buffer of buffers) length += buffer.length;
  return length;
}
