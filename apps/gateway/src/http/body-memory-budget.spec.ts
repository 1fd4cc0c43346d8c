import { connect } from 'node:net';
import { request } from 'undici';
import Fastify from 'fastify';
import { GatewayError } from '@app/core';
import { BUDGETED_BODY_BYTES, BodyMemoryBudget, createBodyBudgetHook } from './body-memory-budget';
import { requestLog } from './request-log';

const settled = (promise: Promise<unknown>): Promise<boolean> =>
  Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) => setImmediate(() => resolve(false))),
  ]);

describe('BodyMemoryBudget', () => {
  it('admits while the bytes fit, then queues in arrival order', async () => {
    const budget = new BodyMemoryBudget({ budgetBytes: 100, queueTimeoutMs: 10_000 });
    expect(budget.mustWait(60)).toBe(false);
    const releaseFirst = await budget.reserve(60);
    expect(budget.mustWait(40)).toBe(false);
    expect(budget.mustWait(60)).toBe(true);
    const second = budget.reserve(60);
    const third = budget.reserve(10); // fits, but must not overtake the waiting 60
    expect(await settled(second)).toBe(false);
    expect(await settled(third)).toBe(false);
    expect(budget.waiting).toBe(2);
    expect(budget.mustWait(1)).toBe(true); // someone is waiting: no overtaking
    releaseFirst();
    expect(await settled(second)).toBe(true);
    expect(await settled(third)).toBe(true);
    expect(budget.bytesInFlight).toBe(70);
  });

  it('runs a body larger than the whole budget alone, and releasing twice frees once', async () => {
    const budget = new BodyMemoryBudget({ budgetBytes: 100, queueTimeoutMs: 10_000 });
    const releaseHuge = await budget.reserve(500);
    expect(budget.bytesInFlight).toBe(500);
    const small = budget.reserve(1);
    expect(await settled(small)).toBe(false);
    releaseHuge();
    releaseHuge();
    const releaseSmall = await small;
    expect(budget.bytesInFlight).toBe(1);
    releaseSmall();
    expect(budget.bytesInFlight).toBe(0);
  });

  it('gives a waiting request a 503 with Retry-After after the queue timeout, and lets the next one in', async () => {
    const budget = new BodyMemoryBudget({ budgetBytes: 100, queueTimeoutMs: 20 });
    const release = await budget.reserve(100);
    const error = await budget.reserve(50).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 503, code: 'gateway_busy', retryAfter: '1' });
    expect(budget.waiting).toBe(0);
    release();
    expect(budget.bytesInFlight).toBe(0);
  });

  it('drops a waiter whose client left (499) without holding up those behind it', async () => {
    const budget = new BodyMemoryBudget({ budgetBytes: 100, queueTimeoutMs: 10_000 });
    const release = await budget.reserve(50);
    const controller = new AbortController();
    const leaving = budget.reserve(90, controller.signal).catch((caught: unknown) => caught);
    const behind = budget.reserve(40);
    expect(await settled(behind)).toBe(false);
    controller.abort();
    expect(await leaving).toMatchObject({ status: 499 });
    expect(await settled(behind)).toBe(true);
    expect(budget.bytesInFlight).toBe(90);
    release();
  });
});

describe('createBodyBudgetHook', () => {
  const budgetBytes = 3 * BUDGETED_BODY_BYTES;
  const budget = new BodyMemoryBudget({ budgetBytes, queueTimeoutMs: 10_000 });
  const app = Fastify();
  app.addHook(
    'preParsing',
    createBodyBudgetHook({
      budget,
      bodyLimitBytes: 64 * BUDGETED_BODY_BYTES,
      bodyReadTimeoutMs: 300,
    }),
  );
  let holdResponses: Promise<void> = Promise.resolve();
  const seen: number[] = [];
  const queuedMs: Array<number | undefined> = [];
  app.post('/upload', async (incoming) => {
    seen.push(budget.bytesInFlight);
    queuedMs.push(requestLog(incoming).queuedMs);
    await holdResponses;
    return { length: (incoming.body as string).length };
  });
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  let base = '';
  beforeAll(async () => {
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => app.close());
  const upload = (bytes: number) =>
    request(`${base}/upload`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(bytes),
    });

  it('lets small bodies through without reserving anything', async () => {
    seen.length = 0;
    queuedMs.length = 0;
    const response = await upload(100);
    expect(response.statusCode).toBe(200);
    await response.body.json();
    expect(seen).toEqual([0]);
    expect(queuedMs).toEqual([undefined]);
  });

  it('holds a large body back until an earlier one finishes, and releases everything at the end', async () => {
    seen.length = 0;
    queuedMs.length = 0;
    let open!: () => void;
    holdResponses = new Promise((resolve) => (open = resolve));
    const size = 2 * BUDGETED_BODY_BYTES;
    const first = upload(size);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = upload(size);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The second body does not fit next to the first: its handler has not run.
    expect(seen).toEqual([size]);
    expect(budget.waiting).toBe(1);
    open();
    const answers = await Promise.all([first, second]);
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200]);
    expect(await Promise.all(answers.map((answer) => answer.body.json()))).toEqual([
      { length: size },
      { length: size },
    ]);
    expect(seen).toEqual([size, size]);
    // Only the one that waited says so in its log line, with how long (it waited at least the 50 ms above).
    expect(queuedMs[0]).toBeUndefined();
    expect(queuedMs[1]).toBeGreaterThanOrEqual(45);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(budget.bytesInFlight).toBe(0);
  });
  it('closes the connection of an admitted body that does not arrive in time, and frees its share', async () => {
    const { hostname, port } = new URL(base);
    const socket = connect(Number(port), hostname);
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
    socket.on('error', () => undefined);
    const startedAt = Date.now();
    // Declares three budget-worthy bodies' worth, sends a few bytes, then stalls.
    socket.write(
      `POST /upload HTTP/1.1\r\nhost: x\r\ncontent-type: text/plain\r\ncontent-length: ${budgetBytes}\r\n\r\nxxxx`,
    );
    await waitUntil(() => budget.bytesInFlight === budgetBytes);
    const closedAt = await closed;
    expect(closedAt - startedAt).toBeGreaterThanOrEqual(250);
    expect(closedAt - startedAt).toBeLessThan(3000);
    await waitUntil(() => budget.bytesInFlight === 0);
    // The next large upload runs at once.
    const response = await upload(2 * BUDGETED_BODY_BYTES);
    expect(response.statusCode).toBe(200);
    await response.body.json();
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
