import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SseWriter } from './sse-writer';

describe('SseWriter', () => {
  let server: Server;
  let url = '';
  let handler: (response: ServerResponse) => void = () => {};

  beforeAll(async () => {
    server = createServer((_request: IncomingMessage, response: ServerResponse) => handler(response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Collects the body; `onData` sees each piece as it arrives. */
  function get(
    onData: (text: string) => void = () => {},
  ): Promise<{ headers: IncomingMessage['headers']; body: string }> {
    return new Promise((resolve, reject) => {
      request(url, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (text: string) => {
          body += text;
          onData(body);
        });
        response.on('end', () => resolve({ headers: response.headers, body }));
      })
        .on('error', reject)
        .end();
    });
  }

  it('writes the events of one turn together, in order, then [DONE]', async () => {
    let socketWrites = 0;
    handler = (response) => {
      // Count what reaches the socket's low-level write (one syscall each).
      const socket = response.socket as unknown as Record<
        '_write' | '_writev',
        (...args: unknown[]) => unknown
      >;
      for (const method of ['_write', '_writev'] as const) {
        const original = socket[method].bind(socket);
        socket[method] = (...args: unknown[]) => {
          socketWrites++;
          return original(...args);
        };
      }
      const writer = new SseWriter(response);
      writer.open(200, { 'x-request-id': 'r1' });
      for (let index = 0; index < 20; index++) writer.data({ index });
      writer.done();
    };
    const { headers, body } = await get();
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(headers['x-request-id']).toBe('r1');
    const events = body.split('\n\n').filter(Boolean);
    expect(events).toEqual([
      ...Array.from({ length: 20 }, (_, index) => `data: {"index":${index}}`),
      'data: [DONE]',
    ]);
    // The headers, the 20 events and [DONE] of the turn and the end of the body: one write.
    expect(socketWrites).toBe(1);
  });

  it('does not hold an event back across turns (the client sees it before the next one is written)', async () => {
    let release: () => void = () => {};
    const secondWritten = new Promise<void>((resolve) => (release = resolve));
    handler = (response) => {
      const writer = new SseWriter(response);
      writer.open(200, {});
      writer.data({ first: true });
      void secondWritten.then(() => {
        writer.data({ second: true });
        writer.done();
      });
    };
    const { body } = await get((soFar) => {
      if (soFar.includes('"first":true')) release();
    });
    expect(body).toBe('data: {"first":true}\n\ndata: {"second":true}\n\ndata: [DONE]\n\n');
  });
  it('once the socket drained, even with nobody waiting, writes are accepted and drained() resolves (no second drain comes)', async () => {
    let outcome: Promise<{ accepted: boolean; waited: string }> | undefined;
    handler = (response) => {
      const writer = new SseWriter(response);
      writer.open(200, {});
      writer.json(JSON.stringify('x'.repeat(8 * 1024 * 1024))); // fills the socket at the end of the turn
      // The client reads it all and the socket drains while nobody waits; only then does the caller write again.
      response.once('drain', () =>
        setImmediate(() => {
          const accepted = writer.json('"after"');
          outcome = Promise.race([
            writer.drained().then(() => 'drained'),
            new Promise<string>((resolve) => setTimeout(() => resolve('stuck'), 1000)),
          ]).then((waited) => {
            writer.done();
            return { accepted, waited };
          });
        }),
      );
    };
    const { body } = await get();
    expect(await outcome).toEqual({ accepted: true, waited: 'drained' });
    expect(body.endsWith('data: "after"\n\ndata: [DONE]\n\n')).toBe(true);
  });

  it('sends the status and headers in the same turn even when no event comes with them', async () => {
    let release: () => void = () => {};
    const later = new Promise<void>((resolve) => (release = resolve));
    handler = (response) => {
      const writer = new SseWriter(response);
      writer.open(200, { 'x-request-id': 'r2' });
      void later.then(() => writer.done());
    };
    const headersArrived = new Promise<IncomingMessage['headers']>((resolve, reject) => {
      request(url, (response) => {
        resolve(response.headers);
        response.resume();
      })
        .on('error', reject)
        .end();
    });
    expect((await headersArrived)['x-request-id']).toBe('r2');
    release();
  });
});
