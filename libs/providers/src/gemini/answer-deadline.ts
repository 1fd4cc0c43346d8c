/**
 * The deadline of a Gemini call until its answer arrives (the backend's `timeoutMs`), and the link from the
 * client's signal to the call. The OpenAI and Anthropic SDKs have a timeout of their own for that wait;
 * `@google/genai`'s would link a fresh AbortController per call (see fetchRecordingResponse), so the adapter
 * keeps this one. Its `signal` goes to the upstream request in place of the client's: it aborts when the
 * client goes, and when no answer came in time (then `timedOut` is true and the caller answers 504). Once
 * the answer's headers are in, `answered()` stops the timer: the silence allowed inside the body is the
 * transport's `bodyTimeout`, which undici does not count while the gateway holds the body back for a slow
 * client, so a slow reader never turns into an upstream timeout.
 */
export class AnswerDeadline {
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

  /** No answer came within `timeoutMs` (the abort was the deadline's, not the client's). */
  get timedOut(): boolean {
    return this.expired;
  }

  /** The answer's headers arrived: no more deadline; the client can still abort the call. */
  readonly answered = (): void => {
    clearTimeout(this.timer);
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
