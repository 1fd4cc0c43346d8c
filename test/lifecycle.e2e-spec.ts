import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { handleOpenAi } from './fakes/openai-upstream';
import { startFakeServer, type FakeServer } from './support/fake-server';

/**
 * The real process (`npm start`'s entry: scripts/start.js builds when needed, then runs dist/): SIGTERM lets
 * in-flight streams finish, refuses new work, and exits 0; a stream that outlives the drain timeout does not
 * keep the process alive.
 */
jest.setTimeout(120_000);

// Jest runs from the project root (ES-module mode has no __dirname).
const root = process.cwd();

function startProcess(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [path.join(root, 'scripts/start.js')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (data: Buffer) => {
      output += data.toString();
      const line = output.split('\n').find((candidate) => candidate.includes('Iris is listening'));
      if (line)
        resolve({ child, url: `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`, exited });
    });
    child.stderr!.on('data', (data: Buffer) => (output += data.toString()));
    child.once('exit', (code) =>
      reject(new Error(`gateway exited with ${code} before listening:\n${output}`)),
    );
  });
}

async function readFirstEvent(response: Response): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const reader = response.body!.getReader();
  await reader.read();
  return reader;
}

async function readRest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += decoder.decode(value);
  }
}

describe('process lifecycle', () => {
  let upstream: FakeServer;
  beforeAll(async () => {
    upstream = await startFakeServer((request, response) =>
      handleOpenAi(request, response, { chunkDelayMs: 40 }),
    );
  });
  afterAll(() => upstream.close());

  it('SIGTERM: the in-flight stream finishes with [DONE], new requests are refused, exit code 0', async () => {
    const { child, url, exited } = await startProcess({ OPENAI_BASE_URL: `${upstream.url}/v1` });
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4o',
        stream: true,
        messages: [{ role: 'user', content: 'one two three four five' }],
      }),
    });
    const reader = await readFirstEvent(response);
    child.kill('SIGTERM');
    const rest = await readRest(reader);
    expect(rest.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(await exited).toBe(0);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('a stream longer than the drain timeout does not keep the process alive', async () => {
    upstream.setHandler((request, response) => handleOpenAi(request, response, { chunkDelayMs: 1000 }));
    const { child, url, exited } = await startProcess({
      OPENAI_BASE_URL: `${upstream.url}/v1`,
      IRIS_DRAIN_TIMEOUT_MS: '300',
    });
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4o',
        stream: true,
        messages: [{ role: 'user', content: 'a b c d e f g h' }],
      }),
    });
    await readFirstEvent(response);
    const stoppedAt = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(3000);
  });
});
