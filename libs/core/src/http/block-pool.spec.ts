import { GatewayError } from '../gateway-error';
import { BLOCK_BYTES, BlockPool } from './block-pool';

describe('BlockPool and BlockLease', () => {
  it('hands out blocks of BLOCK_BYTES and reuses them once the lease is released', () => {
    const pool = new BlockPool(8);
    const first = pool.lease();
    const block = first.block();
    expect(block.length).toBe(BLOCK_BYTES);
    first.release();
    expect(pool.idleBlocks).toBe(1);
    const second = pool.lease();
    expect(second.block()).toBe(block);
    expect(pool.idleBlocks).toBe(0);
  });

  it('never gives a block to another lease while any holder still holds it', () => {
    const pool = new BlockPool(8);
    const lease = pool.lease();
    const block = lease.block();
    const letGoOfWrite = lease.hold();
    lease.release(); // the client request's response closed; an upstream write still holds it
    expect(lease.live).toBe(true);
    expect(pool.idleBlocks).toBe(0);
    expect(pool.lease().block()).not.toBe(block);
    letGoOfWrite();
    expect(lease.live).toBe(false);
    expect(pool.idleBlocks).toBe(1);
  });

  it('releasing twice through the same holder counts once', () => {
    const pool = new BlockPool(8);
    const lease = pool.lease();
    lease.block();
    const letGo = lease.hold();
    letGo();
    letGo();
    expect(lease.live).toBe(true);
    lease.release();
    lease.release();
    expect(lease.live).toBe(false);
    expect(pool.idleBlocks).toBe(1);
  });

  it('a released lease refuses reads and new holders with a 499 (its client has gone)', () => {
    const lease = new BlockPool(8).lease();
    lease.release();
    const refused = (action: () => unknown): GatewayError => {
      try {
        action();
      } catch (error) {
        return error as GatewayError;
      }
      throw new Error('expected a refusal');
    };
    expect(refused(() => lease.assertLive())).toMatchObject({ status: 499, code: 'client_closed_request' });
    expect(refused(() => lease.block()).status).toBe(499);
    expect(refused(() => lease.hold()).status).toBe(499);
  });

  it('keeps at most maxIdleBlocks unused blocks', () => {
    const pool = new BlockPool(2);
    const lease = pool.lease();
    for (let index = 0; index < 5; index++) lease.block();
    lease.release();
    expect(pool.idleBlocks).toBe(2);
  });

  it('drops idle blocks after a period without any lease, not while leases keep coming', () => {
    jest.useFakeTimers();
    try {
      const pool = new BlockPool(4);
      const lease = pool.lease();
      lease.block();
      lease.release();
      jest.advanceTimersByTime(30_000); // the lease above was taken in this period
      expect(pool.idleBlocks).toBe(1);
      jest.advanceTimersByTime(30_000);
      expect(pool.idleBlocks).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
