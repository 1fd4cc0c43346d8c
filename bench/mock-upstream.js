#!/usr/bin/env node
'use strict';
// Adapted from the shared harness (../shared/bench/mock-upstream.js).
// Fast mock LLM upstream: OpenAI chat completions, Anthropic Messages, Gemini
// generateContent / streamGenerateContent. Plain node:http, one process.
//
// Routing is by path SUFFIX, so any base-URL prefix works
// (e.g. /v1/chat/completions, /openai/v1/chat/completions, /v1/v1/messages):
//   .../chat/completions                      -> OpenAI
//   .../messages                              -> Anthropic
//   .../models/{model}:generateContent        -> Gemini non-stream
//   .../models/{model}:streamGenerateContent  -> Gemini stream
//        ?alt=sse  -> SSE ("data: {...}\r\n\r\n", as Gemini sends)
//        no alt    -> streamed JSON array ("[{..}\n,\r\n{..}\n]", as Gemini sends)
//
// Knobs (env default, overridable per request by query string, x-mock-* header,
// or a marker anywhere in the first/last 64 KiB of the body such as
// "[[mock chunks=50 delay=2 latency=0]]" -- the marker survives any gateway's
// request translation because it rides in the prompt text):
//   MOCK_CHUNKS          number of content chunks in a stream (default 20)
//   MOCK_CHUNK_DELAY_MS  delay between stream chunks (default 0)
//   MOCK_LATENCY_MS      fixed delay before the response starts (default 0)
//   MOCK_PORT / MOCK_HOST (default 9100 / 127.0.0.1)
// The request body is always read fully and discarded (only the byte count
// and the head/tail 64 KiB are kept, to find "stream", "model" and the marker).
//
// Extra endpoints: GET /health, GET /__stats, POST /__stats/reset.

const http = require('node:http');

const PORT = Number(process.env.MOCK_PORT || 9100);
const HOST = process.env.MOCK_HOST || '127.0.0.1';
const DEF_CHUNKS = Number(process.env.MOCK_CHUNKS || 20);
const DEF_DELAY = Number(process.env.MOCK_CHUNK_DELAY_MS || 0);
const DEF_LATENCY = Number(process.env.MOCK_LATENCY_MS || 0);
const EDGE = 64 * 1024; // bytes kept from the head and the tail of each body
const MAX_CHUNKS = 10000;

const WORDS = (
  'The image shows a small red square on a white background with a ' +
  'faint gradient running from the top left corner toward the bottom right ' +
  'and no other visible objects text or people in the frame at all today '
)
  .split(' ')
  .filter(Boolean);
const TOKENS = [];
for (let i = 0; i < MAX_CHUNKS; i++) TOKENS.push((i === 0 ? '' : ' ') + WORDS[i % WORDS.length]);
const TEXT_CACHE = new Map();
function fullText(n) {
  let t = TEXT_CACHE.get(n);
  if (t === undefined) {
    t = TOKENS.slice(0, n).join('');
    if (TEXT_CACHE.size < 64) TEXT_CACHE.set(n, t);
  }
  return t;
}

const stats = { started: new Date().toISOString(), requests: 0, bytesIn: 0, routes: {} };
function bump(route, bytes) {
  stats.requests++;
  stats.bytesIn += bytes;
  const r = stats.routes[route] || (stats.routes[route] = { count: 0, bytesIn: 0, maxBody: 0 });
  r.count++;
  r.bytesIn += bytes;
  if (bytes > r.maxBody) r.maxBody = bytes;
}

let seq = 0;
const nowSec = () => Math.floor(Date.now() / 1000);
const rid = (p) => p + Date.now().toString(36) + (++seq).toString(36);

const RE_MARK = /\[\[mock([^\]]*)\]\]/;
const RE_STREAM = /"stream"\s*:\s*true/;
const RE_MODEL = /"model"\s*:\s*"([^"\\]{1,200})"/;
const RE_USAGE = /"include_usage"\s*:\s*true/;

function num(v, d) {
  if (v === undefined || v === null || v === '') return d;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : d;
}

function knobs(req, query, edgeText) {
  const k = {
    chunks: DEF_CHUNKS,
    delay: DEF_DELAY,
    latency: DEF_LATENCY,
  };
  const m = RE_MARK.exec(edgeText);
  if (m) {
    for (const kv of m[1].trim().split(/\s+/)) {
      const [key, val] = kv.split('=');
      if (key in k) k[key] = num(val, k[key]);
    }
  }
  const h = req.headers;
  k.chunks = num(h['x-mock-chunks'], k.chunks);
  k.delay = num(h['x-mock-chunk-delay-ms'], k.delay);
  k.latency = num(h['x-mock-latency-ms'], k.latency);
  if (query) {
    k.chunks = num(query.get('chunks'), k.chunks);
    k.delay = num(query.get('delay'), k.delay);
    k.latency = num(query.get('latency'), k.latency);
  }
  k.chunks = Math.max(1, Math.min(MAX_CHUNKS, Math.floor(k.chunks)));
  return k;
}

function sendJson(res, status, obj) {
  const body = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

// Writes SSE frames: all at once (corked, one syscall) when delay is 0,
// otherwise the first frame(s) immediately and one frame per `delay` ms.
function streamFrames(res, contentType, frames, delay, head, tail) {
  res.writeHead(200, {
    'content-type': contentType,
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  if (res.socket) res.socket.setNoDelay(true);
  if (!delay) {
    res.cork();
    if (head) res.write(head);
    for (let i = 0; i < frames.length; i++) res.write(frames[i]);
    res.end(tail || undefined);
    return;
  }
  let i = 0;
  let closed = false;
  res.on('close', () => {
    closed = true;
  });
  if (head) res.write(head);
  const tick = () => {
    if (closed) return;
    res.write(frames[i++]);
    if (i >= frames.length) {
      res.end(tail || undefined);
      return;
    }
    setTimeout(tick, delay);
  };
  tick();
}

// ---------------- OpenAI ----------------
function openai(req, res, ctx) {
  const { k, model, stream, promptTokens } = ctx;
  const id = rid('chatcmpl-mock');
  const created = nowSec();
  if (!stream) {
    return sendJson(res, 200, {
      id,
      object: 'chat.completion',
      created,
      model,
      system_fingerprint: 'fp_mock',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: fullText(k.chunks), refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: k.chunks,
        total_tokens: promptTokens + k.chunks,
      },
    });
  }
  const pre = `{"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"system_fingerprint":"fp_mock","choices":[`;
  const frames = [];
  frames.push(
    `data: ${pre}{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}\n\n`,
  );
  for (let i = 0; i < k.chunks; i++) {
    frames.push(
      `data: ${pre}{"index":0,"delta":{"content":${JSON.stringify(TOKENS[i])}},"logprobs":null,"finish_reason":null}]}\n\n`,
    );
  }
  let last = `data: ${pre}{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}\n\n`;
  if (ctx.includeUsage) {
    last += `data: ${pre}],"usage":{"prompt_tokens":${promptTokens},"completion_tokens":${k.chunks},"total_tokens":${promptTokens + k.chunks}}}\n\n`;
  }
  frames.push(last + 'data: [DONE]\n\n');
  streamFrames(res, 'text/event-stream; charset=utf-8', frames, k.delay);
}

// ---------------- Anthropic ----------------
function anthropic(req, res, ctx) {
  const { k, model, stream, promptTokens } = ctx;
  const id = rid('msg_mock');
  if (!stream) {
    return sendJson(res, 200, {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: fullText(k.chunks) }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: promptTokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: k.chunks,
      },
    });
  }
  const frames = [];
  frames.push(
    `event: message_start\ndata: {"type":"message_start","message":{"id":"${id}","type":"message","role":"assistant","model":${JSON.stringify(model)},"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":${promptTokens},"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}\n\n` +
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n' +
      'event: ping\ndata: {"type": "ping"}\n\n',
  );
  for (let i = 0; i < k.chunks; i++) {
    frames.push(
      `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${JSON.stringify(TOKENS[i])}}}\n\n`,
    );
  }
  frames.push(
    'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n' +
      `event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":${k.chunks}}}\n\n` +
      'event: message_stop\ndata: {"type":"message_stop"}\n\n',
  );
  streamFrames(res, 'text/event-stream; charset=utf-8', frames, k.delay);
}

// ---------------- Gemini ----------------
function gemini(req, res, ctx, streamMode, alt) {
  const { k, model, promptTokens } = ctx;
  const responseId = rid('mockresp');
  const usage = (c) =>
    `"usageMetadata":{"promptTokenCount":${promptTokens},"candidatesTokenCount":${c},"totalTokenCount":${promptTokens + c},"promptTokensDetails":[{"modality":"TEXT","tokenCount":${promptTokens}}]}`;
  if (!streamMode) {
    return sendJson(res, 200, {
      candidates: [
        {
          content: { parts: [{ text: fullText(k.chunks) }], role: 'model' },
          finishReason: 'STOP',
          avgLogprobs: -0.1,
        },
      ],
      usageMetadata: {
        promptTokenCount: promptTokens,
        candidatesTokenCount: k.chunks,
        totalTokenCount: promptTokens + k.chunks,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }],
        candidatesTokensDetails: [{ modality: 'TEXT', tokenCount: k.chunks }],
      },
      modelVersion: model,
      responseId,
    });
  }
  const objs = [];
  for (let i = 0; i < k.chunks; i++) {
    const fin = i === k.chunks - 1 ? ',"finishReason":"STOP"' : '';
    objs.push(
      `{"candidates":[{"content":{"parts":[{"text":${JSON.stringify(TOKENS[i])}}],"role":"model"}${fin}}],${usage(i + 1)},"modelVersion":${JSON.stringify(model)},"responseId":"${responseId}"}`,
    );
  }
  if (alt === 'sse') {
    const frames = objs.map((o) => `data: ${o}\r\n\r\n`);
    return streamFrames(res, 'text/event-stream', frames, k.delay);
  }
  // JSON-array streaming (no alt=sse), same framing as Gemini: "[{..}\n,\r\n{..}\n]"
  const frames = objs.map((o, i) => (i === 0 ? '[' : '') + o + (i === objs.length - 1 ? '\n]' : '\n,\r\n'));
  streamFrames(res, 'application/json; charset=UTF-8', frames, k.delay);
}

const RE_GEMINI = /\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

function route(pathname) {
  if (pathname.endsWith('/chat/completions')) return { name: 'openai' };
  if (pathname.endsWith('/messages')) return { name: 'anthropic' };
  const m = RE_GEMINI.exec(pathname);
  if (m)
    return { name: m[2] === 'generateContent' ? 'gemini' : 'gemini-stream', model: decodeURIComponent(m[1]) };
  return null;
}

const server = http.createServer((req, res) => {
  const url = req.url;
  const q = url.indexOf('?');
  const pathname = q < 0 ? url : url.slice(0, q);
  if (req.method === 'GET') {
    if (pathname === '/health') return sendJson(res, 200, { ok: true });
    if (pathname === '/__stats') return sendJson(res, 200, stats);
    return sendJson(res, 404, { error: { message: `mock: no GET route ${pathname}` } });
  }
  if (req.method === 'POST' && pathname === '/__stats/reset') {
    req.resume();
    stats.requests = 0;
    stats.bytesIn = 0;
    stats.routes = {};
    return sendJson(res, 200, { ok: true });
  }
  const r = req.method === 'POST' ? route(pathname) : null;
  if (!r) {
    req.resume();
    return sendJson(res, 404, {
      error: { message: `mock: no route ${req.method} ${pathname}`, type: 'invalid_request_error' },
    });
  }
  // Read and discard the body, keeping the first and last EDGE bytes.
  let bytes = 0;
  const headBufs = [];
  let headLen = 0;
  const tailBufs = [];
  let tailLen = 0;
  req.on('data', (c) => {
    bytes += c.length;
    if (headLen < EDGE) {
      const take = Math.min(EDGE - headLen, c.length);
      headBufs.push(take === c.length ? c : c.subarray(0, take));
      headLen += take;
      if (take === c.length) return;
      c = c.subarray(take);
    }
    tailBufs.push(c);
    tailLen += c.length;
    while (tailBufs.length > 1 && tailLen - tailBufs[0].length >= EDGE) {
      tailLen -= tailBufs[0].length;
      tailBufs.shift();
    }
  });
  req.on('end', () => {
    bump(r.name, bytes);
    let edgeText = headLen
      ? (headBufs.length === 1 ? headBufs[0] : Buffer.concat(headBufs)).toString('latin1')
      : '';
    if (tailLen) {
      let t = tailBufs.length === 1 ? tailBufs[0] : Buffer.concat(tailBufs);
      if (t.length > EDGE) t = t.subarray(t.length - EDGE);
      edgeText += '\n' + t.toString('latin1');
    }
    const query = q < 0 ? null : new URLSearchParams(url.slice(q + 1));
    const k = knobs(req, query, edgeText);
    let model = r.model;
    if (!model) {
      const mm = RE_MODEL.exec(edgeText);
      model = mm ? mm[1] : r.name === 'anthropic' ? 'claude-3-5-sonnet-20241022' : 'gpt-4o-mini';
    }
    const ctx = {
      k,
      model,
      stream: RE_STREAM.test(edgeText),
      includeUsage: RE_USAGE.test(edgeText),
      promptTokens: Math.max(1, Math.ceil(bytes / 4)),
    };
    const go = () => {
      if (r.name === 'openai') return openai(req, res, ctx);
      if (r.name === 'anthropic') return anthropic(req, res, ctx);
      return gemini(req, res, ctx, r.name === 'gemini-stream', query ? query.get('alt') : null);
    };
    if (k.latency > 0) setTimeout(go, k.latency);
    else go();
  });
  req.on('error', () => {});
});

server.keepAliveTimeout = 65000;
server.headersTimeout = 66000;
server.requestTimeout = 0;
server.maxHeadersCount = 0;
server.listen(PORT, HOST, () => {
  process.stdout.write(
    `mock-upstream listening on http://${HOST}:${PORT} pid=${process.pid} chunks=${DEF_CHUNKS} delay=${DEF_DELAY}ms latency=${DEF_LATENCY}ms\n`,
  );
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
