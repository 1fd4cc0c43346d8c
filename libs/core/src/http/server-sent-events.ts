/** One dispatched server-sent event: its `event:` name ('' when it has none) and its `data:` lines joined. */
export interface ServerSentEvent {
  readonly event: string;
  readonly data: string;
}

/**
 * The events of a `text/event-stream` body, one array per read of the body. An upstream read often carries
 * dozens of events; handing them on together lets a provider translate them in one step instead of an
 * async step (a promise and a microtask) per event in each layer.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export async function* readServerSentEvents(
  body: AsyncIterable<Uint8Array>,
): AsyncGenerator<ServerSentEvent[]> {
  const decoder = new ServerSentEventDecoder();
  for await (const bytes of body) {
    const events = decoder.push(bytes);
    if (events.length > 0) yield events;
  }
  const last = decoder.end();
  if (last.length > 0) yield last;
}

/**
 * Each read's events parsed into a provider's own values, one array per read: what every adapter's stream
 * reader does. `parse` returns `undefined` to skip an event (pings, anything after an end marker). When it
 * throws (bad data, an error event), the values parsed before it in the same read are handed on first and
 * then the error is thrown, as the vendor SDKs' own readers do. A response without a body has no events.
 */
export async function* readParsedServerSentEvents<Parsed>(
  body: AsyncIterable<Uint8Array> | null,
  parse: (event: ServerSentEvent) => Parsed | undefined,
): AsyncGenerator<Parsed[]> {
  if (!body) return;
  for await (const batch of readServerSentEvents(body)) {
    const parsed: Parsed[] = [];
    for (const event of batch) {
      let value: Parsed | undefined;
      try {
        value = parse(event);
      } catch (error) {
        if (parsed.length > 0) yield parsed;
        throw error;
      }
      if (value !== undefined) parsed.push(value);
    }
    if (parsed.length > 0) yield parsed;
  }
}

/**
 * The event-stream format as the WHATWG spec reads it, fed bytes as they arrive: UTF-8 split across reads,
 * lines ended by LF, CRLF or CR (also split across reads), `:` comments, one optional space after the
 * colon, several `data:` lines joined with LF, an event without data not dispatched, and an event cut off
 * by the end of the body discarded. `id` and `retry` are ignored: the gateway never reconnects upstream.
 */
export class ServerSentEventDecoder {
  private readonly text = new TextDecoder('utf-8');
  /** The start of a line whose end has not arrived yet. */
  private rest = '';
  private eventName = '';
  /** The data of the event being read; undefined until its first `data` line. */
  private data: string | undefined;

  push(bytes: Uint8Array): ServerSentEvent[] {
    return this.readLines(this.text.decode(bytes, { stream: true }));
  }

  /**
   * The body has ended: a last CR still ends its line (it was held back in case an LF followed), and
   * whatever has not been dispatched then is discarded (spec).
   */
  end(): ServerSentEvent[] {
    const events = this.readLines(this.text.decode(), true);
    this.rest = '';
    this.eventName = '';
    this.data = undefined;
    return events;
  }

  private readLines(text: string, final = false): ServerSentEvent[] {
    let buffer = this.rest.length > 0 ? this.rest + text : text;
    // A CR at the very end may be the first half of a CRLF whose LF is in the next read.
    let heldCarriageReturn = '';
    if (buffer.includes('\r')) {
      if (!final && buffer.endsWith('\r')) {
        heldCarriageReturn = '\r';
        buffer = buffer.slice(0, -1);
      }
      buffer = buffer.replace(/\r\n?/g, '\n');
    }
    const events: ServerSentEvent[] = [];
    let start = 0;
    for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n', start)) {
      this.readLine(buffer.slice(start, end), events);
      start = end + 1;
    }
    this.rest = buffer.slice(start) + heldCarriageReturn;
    return events;
  }

  private readLine(line: string, events: ServerSentEvent[]): void {
    if (line.length === 0) {
      if (this.data !== undefined) events.push({ event: this.eventName, data: this.data });
      this.eventName = '';
      this.data = undefined;
      return;
    }
    const colon = line.indexOf(':');
    if (colon === 0) return; // a comment
    const field = colon === -1 ? line : line.slice(0, colon);
    const valueStart =
      colon === -1 ? line.length : line.charCodeAt(colon + 1) === 0x20 ? colon + 2 : colon + 1;
    const value = line.slice(valueStart);
    if (field === 'data') this.data = this.data === undefined ? value : `${this.data}\n${value}`;
    else if (field === 'event') this.eventName = value;
  }
}
