import diagnosticsChannel from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import type { BlockLease } from './block-pool';

/**
 * The socket a request body is written to, from undici's documented diagnostics channel
 * (`undici:client:sendHeaders`, published just before the body is written).
 * @see https://undici.nodejs.org/#/docs/api/DiagnosticsChannel
 */
const SEND_HEADERS_CHANNEL = 'undici:client:sendHeaders';

interface SendHeadersMessage {
  request: { body?: unknown };
  socket: Socket;
}

/** How often a write whose socket still has bytes queued is checked again. */
const FLUSH_CHECK_MS = 5;

/** Writes in flight by the body object undici was given (undici keeps an iterable body as it is). */
const writesByBody = new WeakMap<object, PooledBodyWrite>();
let writesInFlight = 0;

function onSendHeaders(message: unknown): void {
  const { request, socket } = message as SendHeadersMessage;
  const body = request?.body;
  if (typeof body === 'object' && body !== null) writesByBody.get(body)?.attach(socket);
}

/**
 * One upstream write of a body that holds views of pooled memory (block-pool.ts). It holds every lease
 * involved until the memory can no longer be read for this write:
 * - undici has stopped taking buffers from `body` (written to the end, or given up), and
 * - the socket has no byte of it left queued (`writableLength === 0`: Node and libuv keep pointers to a
 *   buffer until its write completes) or is destroyed (pending writes are dropped, never made);
 * - or the request failed before it was given a socket (`notSent`).
 * Anything else (undici never finishing its iteration) keeps the leases held: their blocks are then left
 * to the garbage collector, never reused while a write could still read them.
 * The channel is only subscribed while such writes are in flight, so small requests pay nothing.
 */
export class PooledBodyWrite {
  /** What undici is given as the body: `source`, noticing when undici stops taking from it. */
  readonly body: AsyncGenerator<Buffer>;
  private readonly releases: Array<() => void>;
  private socket?: Socket;
  private iterationEnded = false;
  private ended = false;

  constructor(source: AsyncIterable<Buffer>, leases: readonly BlockLease[]) {
    this.releases = leases.map((lease) => lease.hold());
    this.body = this.iterate(source);
    writesByBody.set(this.body, this);
    if (writesInFlight++ === 0) diagnosticsChannel.subscribe(SEND_HEADERS_CHANNEL, onSendHeaders);
  }

  /** The request failed: if no socket ever took the body, nothing can read it any more. */
  notSent(): void {
    if (!this.socket) this.end();
  }

  /** @internal From the diagnostics channel. */
  attach(socket: Socket): void {
    this.socket = socket;
  }

  private async *iterate(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    try {
      yield* source;
    } finally {
      this.iterationEnded = true;
      this.endWhenFlushed();
    }
  }

  private endWhenFlushed(): void {
    const socket = this.socket;
    if (this.ended || !this.iterationEnded || !socket) return;
    if (socket.destroyed || socket.writableLength === 0) {
      this.end();
      return;
    }
    // Checked again shortly: 'drain' is only emitted after a write that returned false, so it may not come.
    setTimeout(() => this.endWhenFlushed(), FLUSH_CHECK_MS).unref();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const release of this.releases) release();
    writesByBody.delete(this.body);
    if (--writesInFlight === 0) diagnosticsChannel.unsubscribe(SEND_HEADERS_CHANNEL, onSendHeaders);
  }
}
