import { AnswerDeadline } from './answer-deadline';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('AnswerDeadline', () => {
  it('aborts its signal when no answer came within timeoutMs, and says it timed out', async () => {
    const deadline = new AnswerDeadline(new AbortController().signal, 40);
    expect(deadline.signal.aborted).toBe(false);
    await wait(80);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.timedOut).toBe(true);
    deadline.end();
  });

  it('answered() stops the timer, and the client can still abort', async () => {
    const client = new AbortController();
    const deadline = new AnswerDeadline(client.signal, 30);
    deadline.answered();
    await wait(60);
    expect(deadline.signal.aborted).toBe(false);
    expect(deadline.timedOut).toBe(false);
    client.abort();
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.timedOut).toBe(false);
    deadline.end();
  });

  it("the client's abort passes through with its reason, and is not a timeout", () => {
    const client = new AbortController();
    const deadline = new AnswerDeadline(client.signal, 1000);
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
    const deadline = new AnswerDeadline(client.signal, 1000);
    expect(deadline.signal.aborted).toBe(true);
    deadline.end();
  });

  it('after end(), neither the timer nor the client can abort it', async () => {
    const client = new AbortController();
    const deadline = new AnswerDeadline(client.signal, 30);
    deadline.end();
    await wait(60);
    client.abort();
    expect(deadline.signal.aborted).toBe(false);
    expect(deadline.timedOut).toBe(false);
  });
});
