import diagnosticsChannel from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { BlockPool, type BlockLease } from './block-pool';
import { RequestBytes } from './deferred-json-strings';
import { createUpstreamFetch } from './upstream-fetch';

/**
 * A request body in pooled memory, sent through the real upstream fetch (undici) to a real socket: its blocks
 * must not go back to the pool while the socket may still read them, and must go back once it cannot.
 */
describe('PooledBodyWrite (through createUpstreamFetch)', () => {
  let server: Server;
  let base: string;
  let agent: Agent;
  /** Per path: what the fake upstream does with the request. */
  const behaviour = new Map<string, (request: IncomingMessage, response: ServerResponse) => void>();

  beforeAll(async () => {
    server = createServer((request, response) => behaviour.get(request.url ?? '')?.(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    agent = new Agent();
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await agent.close();
  });

  /** `blocks` full pooled blocks of base64-alphabet bytes, as a request body placeholder. */
  function pooledBody(
    pool: BlockPool,
    blocks: number,
  ): { lease: BlockLease; json: string; expected: Buffer } {
    const lease = pool.lease();
    const chunks: Buffer[] = [];
    for (let index = 0; index < blocks; index++) chunks.push(lease.block().fill(0x41 + (index % 26)));
    const placeholder = new RequestBytes(lease).add(chunks).placeholder;
    const expected = Buffer.concat([Buffer.from('{"data":"'), ...chunks, Buffer.from('"}')]);
    return { lease, json: `{"data":"${placeholder}"}`, expected };
  }

  async function until(condition: () => boolean): Promise<void> {
    for (let wait = 0; wait < 200 && !condition(); wait++)
      await new Promise((resolve) => setTimeout(resolve, 10));
  }

  it('holds the blocks until the upstream has taken every byte, then gives them back', async () => {
    let received: Buffer | undefined;
    let readStarted = false;
    behaviour.set('/slow-reader', (request, response) => {
      // The upstream reads nothing for a while: the body waits in the gateway's socket queue.
      request.pause();
      setTimeout(() => {
        readStarted = true;
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          received = Buffer.concat(chunks);
          response.end('{}');
        });
        request.resume();
      }, 300);
    });
    // 16 MiB: more than the kernel's socket buffers take while the upstream reads nothing.
    const pool = new BlockPool(64);
    const { lease, json, expected } = pooledBody(pool, 64);
    const sending = createUpstreamFetch(agent)(`${base}/slow-reader`, { method: 'POST', body: json });
    sending.catch(() => undefined); // awaited below; a failure before that must fail the test, not the run
    lease.release(); // the client request's response closed: only the upstream write holds the blocks now
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(readStarted).toBe(false);
    expect(lease.live).toBe(true);
    expect(pool.idleBlocks).toBe(0);

    const response = await sending;
    await response.text();
    expect(received?.equals(expected)).toBe(true);
    await until(() => !lease.live);
    expect(lease.live).toBe(false);
    expect(pool.idleBlocks).toBe(64);
    expect(diagnosticsChannel.hasSubscribers('undici:client:sendHeaders')).toBe(false);
  });

  it('an upstream that drops the connection mid-body: the blocks come back once the socket is destroyed', async () => {
    behaviour.set('/reset', (request) => {
      request.once('data', () => request.socket.destroy());
    });
    const pool = new BlockPool(16);
    const { lease, json } = pooledBody(pool, 8);
    const sending = createUpstreamFetch(agent)(`${base}/reset`, { method: 'POST', body: json });
    lease.release();
    await expect(sending).rejects.toThrow();
    await until(() => !lease.live);
    expect(lease.live).toBe(false);
    expect(pool.idleBlocks).toBe(8);
  });

  it('a request that fails before any socket takes it gives the blocks back at once', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const pool = new BlockPool(16);
    const { lease, json } = pooledBody(pool, 2);
    const sending = createUpstreamFetch(agent)(`http://127.0.0.1:${port}/`, { method: 'POST', body: json });
    lease.release();
    await expect(sending).rejects.toThrow();
    expect(lease.live).toBe(false);
    expect(pool.idleBlocks).toBe(2);
  });

  it('a body whose lease has already ended is never sent (499)', async () => {
    let requests = 0;
    behaviour.set('/never', (_request, response) => {
      requests++;
      response.end('{}');
    });
    const pool = new BlockPool(16);
    const { lease, json } = pooledBody(pool, 1);
    lease.release();
    await expect(
      createUpstreamFetch(agent)(`${base}/never`, { method: 'POST', body: json }),
    ).rejects.toMatchObject({ status: 499 });
    expect(requests).toBe(0);
  });
});
