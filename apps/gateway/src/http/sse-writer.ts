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
 * one `data: {"error":...}` event. Events given in the same turn (one upstream read often carries dozens)
 * leave in one socket write: the response is corked on the first write of a turn and uncorked at the end
 * of it (`process.nextTick`), which costs no latency and saves a syscall per event.
 */
export class SseWriter {
  private corked = false;

  constructor(private readonly response: ServerResponse) {}

  open(status: number, headers: Record<string, string>): void {
    this.response.writeHead(status, { ...SSE_HEADERS, ...headers });
    // The headers leave at the end of this turn, with whatever events follow in it, even if none does.
    this.batchThisTurn();
    this.response.flushHeaders();
  }

  get closed(): boolean {
    return this.response.destroyed || this.response.writableEnded;
  }

  /** Returns false when the socket's buffer is full; the caller waits for `drained()`. */
  data(payload: unknown): boolean {
    return this.write(`data: ${JSON.stringify(payload)}\n\n`);
  }

  /** A named event (the Responses API uses `event:` lines). */
  event(name: string, payload: unknown): boolean {
    return this.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
  }

  private write(text: string): boolean {
    this.batchThisTurn();
    return this.response.write(text);
  }

  private batchThisTurn(): void {
    if (!this.corked) {
      this.corked = true;
      this.response.cork();
      process.nextTick(() => {
        this.corked = false;
        this.response.uncork();
      });
    }
  }

  drained(): Promise<void> {
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
    if (!this.closed) this.response.end('data: [DONE]\n\n');
  }

  end(): void {
    if (!this.closed) this.response.end();
  }
}
