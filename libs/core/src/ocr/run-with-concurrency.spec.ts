import { runWithConcurrency } from './run-with-concurrency';

const deferred = <T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} => {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('runWithConcurrency', () => {
  it('keeps at most `limit` tasks in flight and returns results in order', async () => {
    const gates = [deferred<number>(), deferred<number>(), deferred<number>()];
    let running = 0;
    let peak = 0;
    const tasks = gates.map((gate) => async () => {
      running += 1;
      peak = Math.max(peak, running);
      const value = await gate.promise;
      running -= 1;
      return value;
    });
    const all = runWithConcurrency(tasks, 2);
    await tick();
    expect(running).toBe(2);
    gates[1].resolve(20);
    await tick();
    expect(running).toBe(2);
    gates[0].resolve(10);
    gates[2].resolve(30);
    await expect(all).resolves.toEqual([10, 20, 30]);
    expect(peak).toBe(2);
  });

  it('resolves at once with no tasks', async () => {
    await expect(runWithConcurrency([], 3)).resolves.toEqual([]);
  });

  it('rejects on the first failure and starts no further task', async () => {
    const started: number[] = [];
    const failing = deferred<number>();
    const tasks = [0, 1, 2].map((index) => () => {
      started.push(index);
      return index === 0 ? failing.promise : new Promise<number>(() => undefined);
    });
    const all = runWithConcurrency(tasks, 2);
    failing.reject(new Error('boom'));
    await expect(all).rejects.toThrow('boom');
    expect(started).toEqual([0, 1]);
  });
});
