import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { logFinishedRequest, requestLog, useAccessLogger } from './request-log';

describe('logFinishedRequest', () => {
  const lines: Array<{ level: string; line: Record<string, unknown> }> = [];
  const logger = {
    info: (line: Record<string, unknown>) => lines.push({ level: 'info', line }),
    warn: (line: Record<string, unknown>) => lines.push({ level: 'warn', line }),
  } as unknown as Logger;
  const server = {} as FastifyInstance;
  useAccessLogger(server, logger);
  const fakeRequest = (): FastifyRequest =>
    ({ id: 'req-1', method: 'POST', url: '/v1/chat/completions', server }) as unknown as FastifyRequest;

  beforeEach(() => (lines.length = 0));

  it('writes one line with the fields set on the request, including how long it queued', () => {
    const request = fakeRequest();
    Object.assign(requestLog(request), { model: 'gpt-4o', backend: 'openai', queuedMs: 12.5 });
    logFinishedRequest(request, 200, process.hrtime.bigint());
    logFinishedRequest(request, 200, process.hrtime.bigint()); // a second call writes nothing
    expect(lines).toHaveLength(1);
    expect(lines[0].level).toBe('info');
    expect(lines[0].line).toMatchObject({
      requestId: 'req-1',
      route: '/v1/chat/completions',
      status: 200,
      model: 'gpt-4o',
      backend: 'openai',
      queuedMs: 12.5,
    });
  });

  it('leaves queuedMs out for a request that never waited, and warns on a 5xx', () => {
    logFinishedRequest(fakeRequest(), 503, process.hrtime.bigint());
    expect(lines[0].level).toBe('warn');
    expect(lines[0].line).not.toHaveProperty('queuedMs');
  });
});
