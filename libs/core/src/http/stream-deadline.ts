/**
 * The deadline of an upstream call: the longest wait for its answer, then the longest silence allowed
 * between two reads of its body (the backend's `timeoutMs`). The vendor SDKs' own timeouts end when the
 * response headers arrive, so without it a stream that stalls after them would hang until the connection's
 * body timeout (undici: 5 minutes) and then fail as a broken upstream instead of a timeout. Its `signal` goes
 * to the SDK call in place of the client's: it aborts when the client goes, and when the upstream has been
 * silent too long (then `timedOut` is true and the caller answers 504). One mechanism for all three adapters.
 */
export class StreamDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private expired = false;
  private readonly onClientAbort = (): void => this.controller.abort(this.clientSignal.reason);

  constructor(
    private readonly clientSignal: AbortSignal,
    timeoutMs: number,
  ) {
    if (clientSignal.aborted) this.controller.abort(clientSignal.reason);
    else clientSignal.addEventListener('abort', this.onClientAbort, { once: true });
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort();
    }, timeoutMs);
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The upstream went silent for longer than allowed (the abort was the deadline's, not the client's). */
  get timedOut(): boolean {
    return this.expired;
  }

  /** Bytes arrived: the allowed silence starts again. */
  readonly touch = (): void => {
    this.timer.refresh();
  };

  /** Closes the call now (its consumer stopped before the upstream answer ended). */
  abort(): void {
    this.controller.abort();
  }

  /** The call is over: no timer, no listener on the client's signal. */
  end(): void {
    clearTimeout(this.timer);
    this.clientSignal.removeEventListener('abort', this.onClientAbort);
  }
}
