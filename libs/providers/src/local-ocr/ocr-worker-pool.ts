import { GatewayError, isGatewayError } from '@app/core';

/** One recognition thread (a Tesseract worker in production, a fake in tests). */
export interface RecognizerWorker {
  recognize(image: Buffer): Promise<string>;
  terminate(): Promise<void>;
}

interface Waiter {
  resolve(worker: RecognizerWorker): void;
  reject(error: unknown): void;
}

/** The reason an aborted signal carries when it is ours, else "the client went away". */
export function abortReasonOf(signal: AbortSignal): GatewayError {
  return isGatewayError(signal.reason) ? signal.reason : GatewayError.cancelled();
}

/**
 * A small pool of recognition workers: started lazily (the first request pays the start-up, an idle gateway
 * pays nothing), reused, at most `size` alive. A job aborted while running terminates its worker, because
 * Tesseract cannot stop mid-page and the CPU should go to the next request; a replacement starts on demand.
 */
export class OcrWorkerPool {
  private readonly idle: RecognizerWorker[] = [];
  private readonly waiting: Waiter[] = [];
  private readonly alive = new Set<RecognizerWorker>();
  /** Workers alive or starting. */
  private count = 0;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly startWorker: () => Promise<RecognizerWorker>,
  ) {}

  /** Workers started and not terminated (for tests and health). */
  get workerCount(): number {
    return this.count;
  }

  async recognize(image: Buffer, signal: AbortSignal): Promise<string> {
    const worker = await this.acquire(signal);
    if (signal.aborted) {
      this.release(worker);
      throw abortReasonOf(signal);
    }
    let onAbort = (): void => undefined;
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => reject(abortReasonOf(signal));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const text = await Promise.race([worker.recognize(image), aborted]);
      this.release(worker);
      return text;
    } catch (error) {
      // Aborted mid-page or failed: the worker's state is unknown, so it is replaced.
      this.discard(worker);
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter.reject(closedError());
    this.idle.length = 0;
    const workers = [...this.alive];
    this.alive.clear();
    await Promise.all(workers.map((worker) => worker.terminate().catch(() => undefined)));
  }

  private async acquire(signal: AbortSignal): Promise<RecognizerWorker> {
    if (this.closed) throw closedError();
    if (signal.aborted) throw abortReasonOf(signal);
    const idle = this.idle.pop();
    if (idle) return idle;
    if (this.count < this.size) return this.start();
    return new Promise<RecognizerWorker>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (worker) => {
          signal.removeEventListener('abort', onAbort);
          resolve(worker);
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const onAbort = (): void => {
        const position = this.waiting.indexOf(waiter);
        if (position >= 0) this.waiting.splice(position, 1);
        reject(abortReasonOf(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private async start(): Promise<RecognizerWorker> {
    this.count += 1;
    let worker: RecognizerWorker;
    try {
      worker = await this.startWorker();
    } catch (error) {
      this.count -= 1;
      throw error;
    }
    if (this.closed) {
      this.count -= 1;
      await worker.terminate().catch(() => undefined);
      throw closedError();
    }
    this.alive.add(worker);
    return worker;
  }

  private release(worker: RecognizerWorker): void {
    if (this.closed) return;
    const waiter = this.waiting.shift();
    if (waiter) waiter.resolve(worker);
    else this.idle.push(worker);
  }

  private discard(worker: RecognizerWorker): void {
    this.alive.delete(worker);
    this.count -= 1;
    void worker.terminate().catch(() => undefined);
    // Someone may be queued behind the worker that just went away: start its replacement.
    const waiter = this.waiting.shift();
    if (!waiter) return;
    this.start().then(
      (replacement) => waiter.resolve(replacement),
      (error: unknown) => waiter.reject(error),
    );
  }
}

function closedError(): GatewayError {
  return new GatewayError(503, 'The local OCR engine is shutting down.', { code: 'engine_closed' });
}
