import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { RequestBytes } from './deferred-json-strings';
import { bodyInTurns, createUpstreamFetch, isUpstreamBodyTimeout, UpstreamHeaders } from './upstream-fetch';

const LARGE_BODY_BYTES = 32 * 1024 * 1024;

interface Seen {
  method?: string;
  url?: string;
  headers?: IncomingMessage['headers'];
  body?: string;
}

describe('createUpstreamFetch', () => {
  let server: Server;
  let base: string;
  let agent: Agent;
  const seen: Seen = {};

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        Object.assign(seen, {
          method: request.method,
          url: request.url,
          headers: request.headers,
          body: Buffer.concat(chunks).toString(),
        });
        if (request.url?.startsWith('/json')) {
          response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_1' });
          response.end('{"ok":true}');
        } else if (request.url === '/error') {
          response.writeHead(429, { 'retry-after': '3', 'content-type': 'application/json' });
          response.end('{"error":{"message":"slow down"}}');
        } else if (request.url === '/stream') {
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.write('data: 1\n\n');
          setTimeout(() => response.end('data: 2\n\n'), 20);
        } else if (request.url === '/hang') {
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.write('data: 1\n\n');
        } else if (request.url === '/stall') {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.write('{"id":"chatcmpl-1",');
        } else if (request.url === '/large') {
          // More than every buffer between here and the reader, all sent at once.
          response.writeHead(200, { 'content-type': 'application/octet-stream' });
          response.end(Buffer.alloc(LARGE_BODY_BYTES, 7));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    agent = new Agent();
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await agent.close();
  });

  it('sends method, path with query, a Headers instance and a string body; reads JSON and headers', async () => {
    const upstreamFetch = createUpstreamFetch(agent);
    const response = await upstreamFetch(`${base}/json?alt=sse`, {
      method: 'post',
      headers: new Headers({ 'x-api-key': 'k', 'content-type': 'application/json' }),
      body: '{"a":1}',
    });
    expect(seen).toMatchObject({ method: 'POST', url: '/json?alt=sse', body: '{"a":1}' });
    expect(seen.headers?.['x-api-key']).toBe('k');
    expect(response.ok).toBe(true);
    expect(response.status).toBe(200);
    expect(response.url).toBe(`${base}/json?alt=sse`);
    expect(response.headers.get('X-Request-Id')).toBe('req_1');
    expect([...response.headers.entries()].map(([name]) => name)).toContain('x-request-id');
    await expect(response.json()).resolves.toEqual({ ok: true });
  });

  it.each([
    ['a plain object', { 'x-one': '1' }],
    ['an array of pairs', [['x-one', '1']]],
  ])('takes headers as %s', async (_label, headers) => {
    await createUpstreamFetch(agent)(`${base}/json`, {
      method: 'POST',
      headers: headers as RequestInit['headers'],
      body: '',
    });
    expect(seen.headers?.['x-one']).toBe('1');
  });

  it('writes request bytes from their slice, with the Content-Length of the whole body', async () => {
    const requestBytes = new RequestBytes();
    const base64 = randomBytes(150_000).toString('base64');
    // Three chunks, as a socket delivers them.
    const bytes = Buffer.from(base64, 'latin1');
    const image = requestBytes.add([
      bytes.subarray(0, 70_000),
      bytes.subarray(70_000, 140_001),
      bytes.subarray(140_001),
    ]);
    await createUpstreamFetch(agent)(`${base}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'ünï', data: image.placeholder }),
    });
    const expected = JSON.stringify({ text: 'ünï', data: base64 });
    expect(seen.body === expected).toBe(true);
    expect(seen.headers?.['content-length']).toBe(String(Buffer.byteLength(expected)));
    expect(seen.headers?.['transfer-encoding']).toBeUndefined();
    requestBytes.release();
  });

  it('writes a multi-megabyte body of request bytes whole, with its Content-Length', async () => {
    const requestBytes = new RequestBytes();
    const bytes = Buffer.from(randomBytes(4_500_000).toString('base64'), 'latin1');
    const chunks: Buffer[] = [];
    for (let offset = 0; offset < bytes.length; offset += 65_536)
      chunks.push(bytes.subarray(offset, offset + 65_536));
    const image = requestBytes.add(chunks);
    await createUpstreamFetch(agent)(`${base}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: image.placeholder }),
    });
    const expected = `{"data":"${bytes.toString('latin1')}"}`;
    expect(seen.body?.length).toBe(expected.length);
    expect(seen.body === expected).toBe(true);
    expect(seen.headers?.['content-length']).toBe(String(expected.length));
    requestBytes.release();
  });

  it('gives the event loop a turn after every 2 MiB of a large body (other requests go on meanwhile)', async () => {
    const chunks = Array.from({ length: 96 }, () => Buffer.alloc(65_536, 0x41)); // 6 MiB
    let turns = 0;
    let counting = true;
    const count = (): void => {
      turns++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const turnsAt: number[] = [];
    let length = 0;
    for await (const chunk of bodyInTurns(chunks)) {
      turnsAt.push(turns);
      length += chunk.length;
    }
    counting = false;
    expect(length).toBe(6 * 1024 * 1024);
    // The first 2 MiB (32 chunks) in one turn, then a turn before each further 2 MiB.
    expect(turnsAt[31]).toBe(turnsAt[0]);
    expect(turnsAt[32]).toBeGreaterThan(turnsAt[31]);
    expect(turnsAt[64]).toBeGreaterThan(turnsAt[63]);
    expect(new Set(turnsAt).size).toBe(3);
  });

  it('gives a non-2xx status with its headers and body', async () => {
    const response = await createUpstreamFetch(agent)(`${base}/error`, { method: 'POST', body: '{}' });
    expect(response.ok).toBe(false);
    expect(response.status).toBe(429);
    expect(response.statusText).toBe('Too Many Requests');
    expect(response.headers.get('retry-after')).toBe('3');
    await expect(response.text()).resolves.toContain('slow down');
  });

  it('streams the body by async iteration as it arrives', async () => {
    const response = await createUpstreamFetch(agent)(`${base}/stream`, { method: 'POST', body: '{}' });
    const parts: string[] = [];
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      parts.push(Buffer.from(chunk).toString());
    }
    expect(parts.join('')).toBe('data: 1\n\ndata: 2\n\n');
    expect(parts.length).toBeGreaterThanOrEqual(2);
  });

  it('streams the body through getReader()', async () => {
    const response = await createUpstreamFetch(agent)(`${base}/stream`, { method: 'POST', body: '{}' });
    const reader = response.body!.getReader();
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
    }
    reader.releaseLock();
    expect(text).toBe('data: 1\n\ndata: 2\n\n');
  });

  it('rejects with an AbortError (an Error of this realm) when aborted before the answer', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await createUpstreamFetch(agent)(`${base}/json`, {
      method: 'POST',
      signal: controller.signal,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('AbortError');
  });

  it('ends a body being read when aborted mid-stream', async () => {
    const controller = new AbortController();
    const response = await createUpstreamFetch(agent)(`${base}/hang`, {
      method: 'POST',
      signal: controller.signal,
    });
    const iterator = (response.body as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort();
    await expect(iterator.next()).rejects.toBeDefined();
  });

  it('bodyTimeoutMs: a body that goes silent fails with an error isUpstreamBodyTimeout knows', async () => {
    const response = await createUpstreamFetch(agent, { bodyTimeoutMs: 150 })(`${base}/stall`, {
      method: 'POST',
    });
    const startedAt = Date.now();
    const error = await response.json().catch((caught: unknown) => caught);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(100);
    expect(Date.now() - startedAt).toBeLessThan(2000);
    expect(isUpstreamBodyTimeout(error)).toBe(true);
    expect(isUpstreamBodyTimeout(new Error('wrapped', { cause: error }))).toBe(true);
    expect(isUpstreamBodyTimeout(new Error('other'))).toBe(false);
    expect(isUpstreamBodyTimeout(undefined)).toBe(false);
  });

  it('bodyTimeoutMs does not count while the reader holds the body back (a slow client)', async () => {
    const response = await createUpstreamFetch(agent, { bodyTimeoutMs: 150 })(`${base}/large`, {
      method: 'POST',
    });
    const iterator = (response.body as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    let bytes = (await iterator.next()).value?.length ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 600)); // four times the allowed silence
    for (let next = await iterator.next(); !next.done; next = await iterator.next())
      bytes += next.value.length;
    expect(bytes).toBe(LARGE_BODY_BYTES);
  });

  it('falls back to fetch for bodies it does not cover (a Blob)', async () => {
    const response = await createUpstreamFetch(agent)(`${base}/json`, {
      method: 'POST',
      body: new Blob(['x']),
    });
    expect(seen.body).toBe('x');
    await expect(response.json()).resolves.toEqual({ ok: true });
  });
});

describe('UpstreamHeaders', () => {
  it.each([
    ['content-type', 'text/plain'],
    ['Content-Type', 'text/plain'],
    ['x-many', 'a, b'],
    ['missing', null],
  ])('get(%s) → %s', (name, expected) => {
    const headers = new UpstreamHeaders({ 'content-type': 'text/plain', 'x-many': ['a', 'b'] });
    expect(headers.get(name)).toBe(expected);
  });

  it('iterates sorted pairs (usable as the headers of a new Response)', () => {
    const headers = new UpstreamHeaders({ 'x-b': '2', 'x-a': '1' });
    expect([...headers]).toEqual([
      ['x-a', '1'],
      ['x-b', '2'],
    ]);
    expect(
      new Response('', { headers: headers as unknown as RequestInit['headers'] }).headers.get('x-a'),
    ).toBe('1');
  });
});
