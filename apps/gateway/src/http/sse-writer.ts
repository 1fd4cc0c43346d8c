import type { ServerResponse } from 'node:http';
import type { GatewayError } from '@app/core';

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/**
 * Server-sent events on the raw response: each event is written the moment it is given (no buffering),
 * `data: [DONE]` ends an OpenAI stream, and an error after the headers is one `data: {"error":...}` event.
 */
export class SseWriter {
  constructor(private readonly response: ServerResponse) {}

  open(status: number, headers: Record<string, string>): void {
    this.response.writeHead(status, { ...SSE_HEADERS, ...headers });
    // Send the headers now rather than with the first event.
    this.response.flushHeaders();
  }

  get closed(): boolean {
    return this.response.destroyed || this.response.writableEnded;
  }

  /** Returns false when the socket's buffer is full; the caller waits for `drained()`. */
  data(payload: unknown): boolean {
    return this.response.write(`data: ${JSON.stringify(payload)}\n\n`);
  }

  /** A named event (the Responses API uses `event:` lines). */
  event(name: string, payload: unknown): boolean {
    return this.response.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
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
