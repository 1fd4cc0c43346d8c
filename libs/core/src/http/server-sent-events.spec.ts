import {
  readParsedServerSentEvents,
  readServerSentEvents,
  ServerSentEventDecoder,
  type ServerSentEvent,
} from './server-sent-events';

/** Feeds the text in reads of `size` bytes (every split point of a small stream when size is 1). */
function decodeInReads(text: string, size: number): ServerSentEvent[] {
  const bytes = Buffer.from(text, 'utf8');
  const decoder = new ServerSentEventDecoder();
  const events: ServerSentEvent[] = [];
  for (let offset = 0; offset < bytes.length; offset += size)
    events.push(...decoder.push(bytes.subarray(offset, offset + size)));
  events.push(...decoder.end());
  return events;
}

/** The same events whatever the read size, including reads that split a UTF-8 character or a CRLF. */
function decodeEveryWay(text: string): ServerSentEvent[] {
  const whole = decodeInReads(text, Number.MAX_SAFE_INTEGER);
  for (const size of [1, 2, 3, 7]) expect(decodeInReads(text, size)).toEqual(whole);
  return whole;
}

describe('ServerSentEventDecoder', () => {
  it('reads named events with one data line each', () => {
    expect(
      decodeEveryWay('event: message_start\ndata: {"a":1}\n\nevent: ping\ndata: {"type": "ping"}\n\n'),
    ).toEqual([
      { event: 'message_start', data: '{"a":1}' },
      { event: 'ping', data: '{"type": "ping"}' },
    ]);
  });

  it('joins several data lines with LF and gives an unnamed event the name ""', () => {
    expect(decodeEveryWay('data: one\ndata:two\ndata:  three\n\n')).toEqual([
      { event: '', data: 'one\ntwo\n three' },
    ]);
  });

  it('ends lines at CRLF, LF or a lone CR, also when a CRLF is split across reads', () => {
    expect(decodeEveryWay('event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\rdata: 3\n\n')).toEqual([
      { event: 'a', data: '1' },
      { event: 'b', data: '2' },
      { event: '', data: '3' },
    ]);
  });

  it('keeps UTF-8 characters that a read splits in two', () => {
    expect(decodeEveryWay('data: {"text":"héllo 世界 🙂"}\n\n')).toEqual([
      { event: '', data: '{"text":"héllo 世界 🙂"}' },
    ]);
  });

  it('skips comments, ignores id and retry, and does not dispatch an event without data', () => {
    expect(
      decodeEveryWay(': keep-alive\n\nid: 7\nretry: 100\nevent: lonely\n\nevent: real\ndata\n\n'),
    ).toEqual([{ event: 'real', data: '' }]);
  });

  it('discards an event that the end of the body cuts off, but a final CR still ends its line', () => {
    expect(decodeEveryWay('data: whole\n\ndata: cut')).toEqual([{ event: '', data: 'whole' }]);
    expect(decodeEveryWay('data: last\r\r')).toEqual([{ event: '', data: 'last' }]);
  });
});

describe('readServerSentEvents', () => {
  it('yields the events of each read together, and nothing for a read without a whole event', async () => {
    async function* body(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('data: 1\n\ndata: 2\n\ndata: 3');
      yield Buffer.from('\n');
      yield Buffer.from('\ndata: 4\n\n');
    }
    const batches: ServerSentEvent[][] = [];
    for await (const events of readServerSentEvents(body())) batches.push(events);
    expect(batches.map((events) => events.map((event) => event.data))).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
  });
});

describe('readParsedServerSentEvents', () => {
  async function* reads(...texts: string[]): AsyncGenerator<Uint8Array> {
    for (const text of texts) yield Buffer.from(text);
  }
  /** Parses `data` as a number; `skip` is skipped, `bad` throws. */
  const parse = ({ data }: ServerSentEvent): number | undefined => {
    if (data === 'skip') return undefined;
    if (data === 'bad') throw new Error('bad event');
    return Number(data);
  };

  it("parses each read's events together and leaves out the skipped ones", async () => {
    const batches: number[][] = [];
    const body = reads('data: 1\n\ndata: skip\n\ndata: 2\n\n', 'data: skip\n\n', 'data: 3\n\n');
    for await (const values of readParsedServerSentEvents(body, parse)) batches.push(values);
    expect(batches).toEqual([[1, 2], [3]]);
  });

  it('hands on the values parsed before a failing event in the same read, then throws', async () => {
    const batches: number[][] = [];
    const body = reads('data: 1\n\n', 'data: 2\n\ndata: 3\n\ndata: bad\n\ndata: 4\n\n');
    await expect(
      (async () => {
        for await (const values of readParsedServerSentEvents(body, parse)) batches.push(values);
      })(),
    ).rejects.toThrow('bad event');
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it('has no events for a response without a body', async () => {
    const batches: number[][] = [];
    for await (const values of readParsedServerSentEvents(null, parse)) batches.push(values);
    expect(batches).toEqual([]);
  });
});
