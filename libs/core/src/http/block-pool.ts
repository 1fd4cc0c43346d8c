import { GatewayError } from '../gateway-error';

/**
 * Size of one pooled block: 4 socket reads of 64 KiB. Small, so that the unused end of a body's last block
 * stays small at high concurrency (with 1 MiB blocks, 64 bodies just over 1 MiB held 128 MiB).
 */
export const BLOCK_BYTES = 256 * 1024;
/** Idle blocks are dropped after this long without a lease (the memory goes back after a burst). */
const IDLE_TRIM_MS = 30_000;

/**
 * Memory for large request bodies that is reused from one request to the next instead of allocated fresh.
 *
 * Why: every socket read is a fresh 64 KiB `ArrayBuffer`, which V8 counts as external memory. A 20 MB image
 * kept as those reads for the whole request (~27 MB of base64) made V8 start incremental marking for
 * "external memory pressure" about once per request, and its marking steps and final pauses (up to ~17 ms)
 * were the event loop's longest stalls (docs/PERFORMANCE.md). Copied at once into pooled blocks, the reads
 * die young, external memory stays flat, and the copy (a few ms per 27 MB) costs less than the collections.
 *
 * A block is only reused once every holder of its lease has let go (`BlockLease`): the client request when
 * its response has closed, and every upstream write of it once its socket is done with the bytes.
 */
export class BlockPool {
  private readonly idle: Buffer[] = [];
  private trimTimer?: NodeJS.Timeout;
  private leasedSinceTrim = false;

  /** `maxIdleBlocks`: at most this many unused blocks are kept (the rest are left to the garbage collector). */
  constructor(private readonly maxIdleBlocks: number) {}

  /** A new lease, held once by the caller. */
  lease(): BlockLease {
    this.leasedSinceTrim = true;
    return new BlockLease(this);
  }

  /** How many unused blocks are kept. */
  get idleBlocks(): number {
    return this.idle.length;
  }

  /** @internal A block for a lease: a kept one, or a fresh one. */
  take(): Buffer {
    return this.idle.pop() ?? Buffer.allocUnsafeSlow(BLOCK_BYTES);
  }

  /** @internal Blocks whose lease has ended. */
  giveBack(blocks: readonly Buffer[]): void {
    for (const block of blocks) {
      if (this.idle.length >= this.maxIdleBlocks) break;
      this.idle.push(block);
    }
    if (this.idle.length > 0 && !this.trimTimer) {
      this.trimTimer = setInterval(() => this.trim(), IDLE_TRIM_MS).unref();
    }
  }

  private trim(): void {
    if (this.leasedSinceTrim) {
      this.leasedSinceTrim = false;
      return;
    }
    this.idle.length = 0;
    clearInterval(this.trimTimer);
    this.trimTimer = undefined;
  }
}

/**
 * The blocks one request body was copied into, with a count of holders. The blocks go back to the pool
 * when the last holder releases; reading them afterwards (`assertLive`) throws instead of reading memory
 * another request may already be using. A holder that never releases (an upstream write undici never
 * finished iterating) only keeps its blocks out of the pool: they are then freed by the garbage collector.
 */
export class BlockLease {
  private readonly blocks: Buffer[] = [];
  private holders = 1;

  constructor(private readonly pool: BlockPool) {}

  get live(): boolean {
    return this.holders > 0;
  }

  /** A new block belonging to this lease. */
  block(): Buffer {
    this.assertLive();
    const block = this.pool.take();
    this.blocks.push(block);
    return block;
  }

  /** One more holder; the returned function lets go of it (calling it again does nothing). */
  hold(): () => void {
    this.assertLive();
    this.holders++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.release();
    };
  }

  /** Lets go of the holder the lease was created with. */
  release(): void {
    if (this.holders === 0) return;
    this.holders--;
    if (this.holders > 0) return;
    this.pool.giveBack(this.blocks);
    this.blocks.length = 0;
  }

  /** Throws once the blocks may belong to another request: the client of this one has gone (499). */
  assertLive(): void {
    if (this.holders === 0) throw GatewayError.cancelled();
  }
}
