import { StreamDeadline } from './stream-deadline';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('StreamDeadline', () => {
  it('aborts its signal when nothing was read for timeoutMs, and says it timed out', async () => {
    const deadline = new StreamDeadline(new AbortController().signal, 40);
    expect(deadline.signal.aborted).toBe(false);
    await wait(80);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.timedOut).toBe(true);
    deadline.end();
  });

  it('every read starts the allowed silence again', async () => {
    const deadline = new StreamDeadline(new AbortController().signal, 60);
    for (let read = 0; read < 6; read++) {
      await wait(25);
      deadline.touch();
    }
    expect(deadline.signal.aborted).toBe(false);
    await wait(100);
    expect(deadline.timedOut).toBe(true);
    deadline.end();
  });

  it("the client's abort passes through with its reason, and is not a timeout", () => {
    const client = new AbortController();
    const deadline = new StreamDeadline(client.signal, 1000);
    const reason = new Error('client gone');
    client.abort(reason);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toBe(reason);
    expect(deadline.timedOut).toBe(false);
    deadline.end();
  });

  it('a client signal that is already aborted aborts at once', () => {
    const client = new AbortController();
    client.abort();
    const deadline = new StreamDeadline(client.signal, 1000);
    expect(deadline.signal.aborted).toBe(true);
    deadline.end();
  });

  it('after end(), neither the timer nor the client can abort it, and touch does not re-arm it', async () => {
    const client = new AbortController();
    const deadline = new StreamDeadline(client.signal, 30);
    deadline.end();
    deadline.touch();
    await wait(60);
    client.abort();
    expect(deadline.signal.aborted).toBe(false);
    expect(deadline.timedOut).toBe(false);
  });
});
