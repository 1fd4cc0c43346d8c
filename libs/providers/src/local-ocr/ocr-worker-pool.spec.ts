import { GatewayError } from '@app/core';
import { OcrWorkerPool, type RecognizerWorker } from './ocr-worker-pool';

interface FakeWorker extends RecognizerWorker {
  id: number;
  terminated: boolean;
  /** Finish the current job with this text. */
  finish(text: string): void;
}

/** Workers whose jobs finish when the test says so. */
function fakeWorkers() {
  const started: FakeWorker[] = [];
  const start = async (): Promise<RecognizerWorker> => {
    let finishJob: (text: string) => void = () => undefined;
    const worker: FakeWorker = {
      id: started.length + 1,
      terminated: false,
      recognize: () => new Promise<string>((resolve) => (finishJob = resolve)),
      terminate: async () => {
        worker.terminated = true;
      },
      finish: (text) => finishJob(text),
    };
    started.push(worker);
    return worker;
  };
  return { started, start };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const image = Buffer.from('image');
const live = () => new AbortController().signal;

describe('OcrWorkerPool', () => {
  it('starts no worker before the first job (lazy)', () => {
    const { started, start } = fakeWorkers();
    const pool = new OcrWorkerPool(2, start);
    expect(started).toHaveLength(0);
    expect(pool.workerCount).toBe(0);
  });

  it('reuses an idle worker', async () => {
    const { started, start } = fakeWorkers();
    const pool = new OcrWorkerPool(2, start);
    const first = pool.recognize(image, live());
    await tick();
    started[0].finish('one');
    await expect(first).resolves.toBe('one');
    const second = pool.recognize(image, live());
    await tick();
    started[0].finish('two');
    await expect(second).resolves.toBe('two');
    expect(started).toHaveLength(1);
  });

  it('never runs more than `size` workers; later jobs queue', async () => {
    const { started, start } = fakeWorkers();
    const pool = new OcrWorkerPool(2, start);
    const jobs = [1, 2, 3].map(() => pool.recognize(image, live()));
    await tick();
    expect(started).toHaveLength(2);
    started[0].finish('a');
    await tick();
    started[1].finish('b');
    started[0].finish('c'); // the queued job got worker 1
    await expect(Promise.all(jobs)).resolves.toEqual(['a', 'b', 'c']);
    expect(started).toHaveLength(2);
  });

  it('a queued job that is aborted leaves the queue and never runs', async () => {
    const { started, start } = fakeWorkers();
    const pool = new OcrWorkerPool(1, start);
    const running = pool.recognize(image, live());
    const client = new AbortController();
    const queued = pool.recognize(image, client.signal);
    await tick();
    client.abort();
    await expect(queued).rejects.toMatchObject({ status: 499 });
    started[0].finish('first');
    await expect(running).resolves.toBe('first');
    expect(started).toHaveLength(1);
  });

  it('a running job that is aborted terminates its worker; the next job starts a fresh one', async () => {
    const { started, start } = fakeWorkers();
    const pool = new OcrWorkerPool(1, start);
    const client = new AbortController();
    const job = pool.recognize(image, client.signal);
    await tick();
    client.abort(GatewayError.timeout('too slow'));
    await expect(job).rejects.toMatchObject({ status: 504 });
    expect(started[0].terminated).toBe(true);
    expect(pool.workerCount).toBe(0);
    const next = pool.recognize(image, live());
    await tick();
    started[1].finish('fresh');
    await expect(next).resolves.toBe('fresh');
  });

  it('a queued job gets a replacement when the running worker is discarded', async () => {
    const { started, start } = fakeWorkers();
    const pool = new OcrWorkerPool(1, start);
    const client = new AbortController();
    const doomed = pool.recognize(image, client.signal);
    const queued = pool.recognize(image, live());
    await tick();
    client.abort();
    await expect(doomed).rejects.toMatchObject({ status: 499 });
    await tick();
    expect(started).toHaveLength(2);
    started[1].finish('after');
    await expect(queued).resolves.toBe('after');
  });

  it('a failed start is reported and does not use up a slot', async () => {
    let attempts = 0;
    const { started, start } = fakeWorkers();
    const pool = new OcrWorkerPool(1, async () => {
      attempts += 1;
      if (attempts === 1) throw new GatewayError(500, 'could not start');
      return start();
    });
    await expect(pool.recognize(image, live())).rejects.toThrow('could not start');
    const job = pool.recognize(image, live());
    await tick();
    started[0].finish('ok');
    await expect(job).resolves.toBe('ok');
  });

  it('close terminates every worker and rejects queued and later jobs', async () => {
    const { started, start } = fakeWorkers();
    const pool = new OcrWorkerPool(1, start);
    void pool.recognize(image, live()).catch(() => undefined);
    const queued = pool.recognize(image, live());
    await tick();
    await pool.close();
    expect(started[0].terminated).toBe(true);
    await expect(queued).rejects.toMatchObject({ status: 503 });
    await expect(pool.recognize(image, live())).rejects.toMatchObject({ status: 503 });
  });
});
