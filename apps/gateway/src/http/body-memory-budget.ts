import type { FastifyReply, FastifyRequest, RequestPayload } from 'fastify';
import { GatewayError } from '@app/core';
import { elapsedMs, requestLog } from './request-log';

/** Bodies below this skip the budget: small requests never wait and pay nothing for it. */
export const BUDGETED_BODY_BYTES = 64 * 1024;

export interface BodyMemoryBudgetOptions {
  /** Bytes of request bodies (by Content-Length) allowed in flight at once. */
  budgetBytes: number;
  /** How long a request may wait for room before it gets a 503 with Retry-After. */
  queueTimeoutMs: number;
}

interface Waiter {
  bytes: number;
  admit: () => void;
}

/**
 * Admission control for large bodies. A request with a multi-MB image holds several copies of it while it
 * runs (body bytes, the decoded string, the outgoing request), so without a bound 64 concurrent 20 MB
 * uploads would hold gigabytes and stall the event loop in garbage collection. Requests reserve their
 * Content-Length before the body is read; beyond the budget they wait in arrival order (their bodies stay
 * in the kernel's socket buffers, unread) and run as earlier ones finish. A body larger than the whole
 * budget runs alone. Against a fast upstream the CPU is the bottleneck for such requests, so queueing costs
 * no throughput; against a slow one the budget also caps how many large requests are open at once, so it
 * should grow with the memory the process is given.
 */
export class BodyMemoryBudget {
  private inFlightBytes = 0;
  private readonly queue: Waiter[] = [];

  constructor(private readonly options: BodyMemoryBudgetOptions) {}

  get budgetBytes(): number {
    return this.options.budgetBytes;
  }

  get bytesInFlight(): number {
    return this.inFlightBytes;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Whether a reservation of `bytes` made now would have to wait. */
  mustWait(bytes: number): boolean {
    return this.queue.length > 0 || !this.fits(bytes);
  }

  /**
   * Resolves with a release function once `bytes` fit; rejects with a 503 after the queue timeout, or
   * with a 499 if `signal` aborts (the client left while waiting). Calling the release function again
   * does nothing.
   */
  reserve(bytes: number, signal?: AbortSignal): Promise<() => void> {
    if (!this.mustWait(bytes)) return Promise.resolve(this.take(bytes));
    return new Promise((resolve, reject) => {
      const leave = (error: GatewayError): void => {
        const index = this.queue.indexOf(waiter);
        if (index === -1) return;
        this.queue.splice(index, 1);
        cleanup();
        reject(error);
        // A large waiter at the head may have been holding smaller ones back.
        this.admitWaiting();
      };
      const onAbort = (): void => leave(GatewayError.cancelled());
      const timer = setTimeout(
        () =>
          leave(
            new GatewayError(503, 'The gateway is busy with large requests; retry shortly.', {
              code: 'gateway_busy',
              retryAfter: '1',
            }),
          ),
        this.options.queueTimeoutMs,
      );
      timer.unref();
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        bytes,
        admit: () => {
          cleanup();
          resolve(this.take(bytes));
        },
      };
      this.queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private fits(bytes: number): boolean {
    return this.inFlightBytes === 0 || this.inFlightBytes + bytes <= this.options.budgetBytes;
  }

  private take(bytes: number): () => void {
    this.inFlightBytes += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlightBytes -= bytes;
      this.admitWaiting();
    };
  }

  /** Admits waiters in arrival order while the head fits (no overtaking, so a big body is never starved). */
  private admitWaiting(): void {
    while (this.queue.length > 0 && this.fits(this.queue[0].bytes)) {
      (this.queue.shift() as Waiter).admit();
    }
  }
}

export interface BodyBudgetHookOptions {
  budget: BodyMemoryBudget;
  bodyLimitBytes: number;
  /**
   * Time an admitted body has to arrive in full. Without it a client that declares a large body and then
   * sends it slowly would keep its share of the budget (and everyone behind it waiting) indefinitely.
   */
  bodyReadTimeoutMs: number;
}

/**
 * The Fastify `preParsing` hook that applies the budget: large (or unknown-length) bodies reserve their size
 * before a byte is read and release it when the response closes (finished, failed or the client gone).
 * An unknown length (chunked upload) reserves the body limit, capped at the budget. An admitted body that
 * has not fully arrived within the read timeout has its connection closed, which releases its share.
 */
export function createBodyBudgetHook(options: BodyBudgetHookOptions) {
  const { budget, bodyLimitBytes, bodyReadTimeoutMs } = options;
  return (
    request: FastifyRequest,
    reply: FastifyReply,
    payload: RequestPayload,
    done: (error: Error | null, payload?: RequestPayload) => void,
  ): void => {
    const header = request.headers['content-length'];
    const length = header === undefined ? undefined : Number(header);
    const noBody = length === undefined && request.headers['transfer-encoding'] === undefined;
    if (noBody || (length !== undefined && (!Number.isFinite(length) || length < BUDGETED_BODY_BYTES))) {
      done(null, payload);
      return;
    }
    // Over the body limit: Fastify answers 413 without reading the body, so it needs no room.
    if (length !== undefined && length > bodyLimitBytes) {
      done(null, payload);
      return;
    }
    const bytes = length ?? Math.min(bodyLimitBytes, budget.budgetBytes);
    // A request that waits says how long in its log line: what an operator sizing the budget needs.
    const queuedSince = budget.mustWait(bytes) ? process.hrtime.bigint() : undefined;
    const noteQueued = (): void => {
      if (queuedSince !== undefined) requestLog(request).queuedMs = elapsedMs(queuedSince);
    };
    const controller = new AbortController();
    const onClose = (): void => controller.abort();
    reply.raw.once('close', onClose);
    budget.reserve(bytes, controller.signal).then(
      (release) => {
        reply.raw.off('close', onClose);
        noteQueued();
        if (reply.raw.destroyed) {
          release();
          return;
        }
        const deadline = setTimeout(() => {
          request.log.warn(
            { requestId: request.id, bodyReadTimeoutMs, declaredBytes: length },
            'request body did not arrive in time: connection closed',
          );
          request.raw.destroy();
          release();
        }, bodyReadTimeoutMs);
        deadline.unref();
        request.raw.once('end', () => clearTimeout(deadline));
        reply.raw.once('close', () => {
          clearTimeout(deadline);
          release();
        });
        done(null, payload);
      },
      (error: unknown) => {
        reply.raw.off('close', onClose);
        noteQueued();
        done(error as Error);
      },
    );
  };
}
