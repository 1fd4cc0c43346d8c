'use strict';
// Closed-loop HTTP/1.1 keep-alive load client (adapted from ../shared/bench/lib/httpload.js).
// `conc` connections, one request in flight on each; every request's time to the first body byte (TTFB)
// and to the end of the body is recorded with performance.now() (sub-millisecond), raw, with no
// coordinated-omission correction. Bounded by duration and by a request cap.
const http = require('node:http');
const { tailOk } = require('./validate');

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

function summary(values) {
  const sorted = Float64Array.from(values).sort();
  const mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : null;
  return {
    n: sorted.length,
    mean,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : null,
  };
}

/**
 * @param {{url: string, path: string, headers: object, body: Buffer, conc: number, durationMs: number,
 *          maxRequests?: number, kind: string, timeoutMs?: number}} options
 */
function run({ url, path, headers, body, conc, durationMs, maxRequests = 1e6, kind, timeoutMs = 60_000 }) {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: conc, maxFreeSockets: conc });
  const requestHeaders = { 'content-type': 'application/json', ...headers, 'content-length': body.length };
  const latency = [];
  const ttfb = [];
  let issued = 0;
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let incomplete = 0;
  const firstErrors = [];
  const note = (message) => firstErrors.length < 3 && firstErrors.push(message);
  const startedAt = performance.now();
  const deadline = startedAt + durationMs;

  function one() {
    return new Promise((resolve) => {
      const sentAt = performance.now();
      let finished = false;
      const finish = () => {
        if (!finished) {
          finished = true;
          resolve();
        }
      };
      const request = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port || 80,
          method: 'POST',
          path,
          headers: requestHeaders,
          timeout: timeoutMs,
        },
        (response) => {
          let firstByteAt = 0;
          let tail = '';
          response.on('data', (chunk) => {
            if (!firstByteAt) firstByteAt = performance.now();
            tail = (tail + chunk.toString('latin1', Math.max(0, chunk.length - 512))).slice(-512);
          });
          response.on('end', () => {
            const endedAt = performance.now();
            if (response.statusCode >= 200 && response.statusCode < 300) {
              if (tailOk(kind, tail)) {
                ok++;
                latency.push(endedAt - sentAt);
                ttfb.push((firstByteAt || endedAt) - sentAt);
              } else {
                incomplete++;
                note(`incomplete: ...${tail.slice(-120)}`);
              }
            } else {
              non2xx++;
              note(`HTTP ${response.statusCode}: ${tail.slice(0, 200)}`);
            }
            finish();
          });
          response.on('error', (error) => {
            errors++;
            note(error.message);
            finish();
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error('timeout')));
      request.on('error', (error) => {
        errors++;
        note(error.message);
        finish();
      });
      request.end(body);
    });
  }

  async function worker() {
    while (performance.now() < deadline && issued < maxRequests) {
      issued++;
      await one();
    }
  }
  return Promise.all(Array.from({ length: conc }, worker)).then(() => {
    const wallSeconds = (performance.now() - startedAt) / 1000;
    agent.destroy();
    return {
      requests: ok,
      non2xx,
      errors,
      incomplete,
      durationS: wallSeconds,
      rps: ok / wallSeconds,
      lat: summary(latency),
      ttfb: summary(ttfb),
      firstErrors,
    };
  });
}

/** One request, whole answer as text (preflight checks). */
function once(url, path, headers, body, timeoutMs = 60_000) {
  const target = new URL(url);
  return new Promise((resolve) => {
    const request = http.request(
      {
        host: target.hostname,
        port: target.port || 80,
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', ...headers, 'content-length': body.length },
        timeout: timeoutMs,
      },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', (error) => resolve({ status: 0, text: error.message }));
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error) => resolve({ status: 0, text: error.message }));
    request.end(body);
  });
}

module.exports = { run, once, summary, percentile };
