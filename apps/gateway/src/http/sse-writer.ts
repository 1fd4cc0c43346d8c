import type { ServerResponse } from 'node:http';
import type { GatewayError } from '@app/core';

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/**
 * Server-sent events on the raw response: each event is written the moment it is given (no buffering
 * across turns of the event loop), `data: [DONE]` ends an OpenAI stream, and an error after the headers is
 * one `data: {"error":...}` event. What is given in the same turn (one upstream read often carries dozens of
 * events, and the end of the upstream stream arrives with the last of them) leaves in one socket write:
 * it is joined and written at the end of the turn (`setImmediate`, after this turn's I/O callbacks), which
 * costs no latency and saves a system call per event. The headers go with the first write: the first event
 * is already in hand when the stream opens, and if none comes in that turn they are flushed alone.
 * (Not `cork()`: on Node 22+ a corked response neither batches its writes nor keeps a body that `end()` is
 * given while corked.)
 */
export class SseWriter {
  private readonly pending: string[] = [];
  private flushScheduled = false;
  /** Something (headers or events) has been handed to the socket. */
  private started = false;

  constructor(private readonly response: ServerResponse) {}

  open(status: number, headers: Record<string, string>): void {
    this.response.writeHead(status, { ...SSE_HEADERS, ...headers });
    this.scheduleFlush();
  }

  get closed(): boolean {
    return this.response.destroyed || this.response.writableEnded;
  }

  /** Returns false when the socket's buffer is full; the caller waits for `drained()`. */
  data(payload: unknown): boolean {
    return this.json(JSON.stringify(payload));
  }

  /** An event whose data is already JSON text. */
  json(text: string): boolean {
    return this.write(`data: ${text}\n\n`);
  }

  /** A named event (the Responses API uses `event:` lines). */
  event(name: string, payload: unknown): boolean {
    return this.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
  }

  drained(): Promise<void> {
    // The socket's own state, not a flag of ours: it may have drained since the write that filled it, before
    // anyone waited, and then 'drain' has already been emitted and will not come again.
    if (!this.response.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.response.off('drain', done);
        this.response.off('close', done);
        resolve();
      };
      this.response.once('drain', done);
      this.response.once('close', done);
    });
  }

  error(error: GatewayError): void {
    if (!this.closed) this.data(error.toEnvelope());
  }

  done(): void {
    if (this.closed) return;
    this.pending.push('data: [DONE]\n\n');
    this.response.end(this.takePending());
  }

  end(): void {
    if (this.closed) return;
    this.response.end(this.takePending());
  }

  private write(text: string): boolean {
    this.pending.push(text);
    this.scheduleFlush();
    return !this.response.writableNeedDrain;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.closed) {
      this.pending.length = 0;
      return;
    }
    if (this.pending.length === 0) {
      // Opened, but no event this turn: the client gets the status and headers now.
      if (!this.started) this.response.flushHeaders();
      this.started = true;
      return;
    }
    this.started = true;
    this.response.write(this.takePending());
  }

  private takePending(): string {
    const text = this.pending.length === 1 ? this.pending[0] : this.pending.join('');
    this.pending.length = 0;
    return text;
  }
}
