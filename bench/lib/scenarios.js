'use strict';
// Scenario catalogue (adapted from ../shared/bench/lib/scenarios.js, plus S6). Each scenario has the
// OpenAI-format request a client sends to Iris and the equivalent native request sent straight to the
// mock, so "added" = Iris − direct for the same work in the same run.
const fs = require('node:fs');
const path = require('node:path');
const { pngForBase64Size } = require('./png');

const MODELS = { openai: 'gpt-4o-mini', anthropic: 'claude-3-5-sonnet-latest', google: 'gemini-2.0-flash' };
const SYSTEM = 'You are a concise assistant. Answer in one short paragraph.';
const FIXTURES = path.join(__dirname, '..', 'results', 'fixtures');

/** Base64 text length of each image, and the decoded size it stands for. */
const IMAGE_SIZES = {
  '1m': 1 << 20, // ~1 MiB of base64 (~0.75 MiB PNG)
  // Just under 5 MiB of base64 (~3.7 MiB PNG): Claude's limit is 5 MiB of base64, and an image over it is
  // re-encoded by the image layer (the shared harness's "5 MiB" image is 1.5 KB over; see S5a5x).
  '5m': (5 << 20) - (32 << 10),
  '5m-over': 5 << 20, // the shared harness's size: 5,244,368 base64 characters, over Claude's limit
  '20m': Math.ceil((20_000_000 / 3) * 4), // a 20 MB PNG (~26.7 MB of base64; Gemini takes up to 20 MiB)
};

const images = {};
function image(kind) {
  if (images[kind]) return images[kind];
  const file = path.join(FIXTURES, `img-${kind}.png`);
  let png;
  if (fs.existsSync(file)) png = fs.readFileSync(file);
  else {
    png = pngForBase64Size(IMAGE_SIZES[kind]).png;
    fs.mkdirSync(FIXTURES, { recursive: true });
    fs.writeFileSync(file, png);
  }
  return (images[kind] = png.toString('base64'));
}

function userText(marker, withImage) {
  return (
    (withImage
      ? 'Describe this image in one sentence. '
      : 'Explain in one sentence what an API gateway does. ') + marker
  );
}

function gatewayBody(provider, { marker, stream, img }) {
  const text = userText(marker, Boolean(img));
  const content = img
    ? [
        { type: 'text', text },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${image(img)}` } },
      ]
    : text;
  const body = {
    model: MODELS[provider],
    messages: [
      { role: 'system', content: SYSTEM },
      { role: 'user', content },
    ],
    max_tokens: 256,
    temperature: 0.2,
  };
  if (stream) body.stream = true;
  return body;
}

function directRequest(provider, { marker, stream, img }) {
  const text = userText(marker, Boolean(img));
  if (provider === 'openai') {
    return {
      path: '/v1/chat/completions',
      headers: { authorization: 'Bearer sk-mock' },
      body: gatewayBody(provider, { marker, stream, img }),
    };
  }
  if (provider === 'anthropic') {
    const content = img
      ? [
          { type: 'text', text },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: image(img) } },
        ]
      : [{ type: 'text', text }];
    const body = {
      model: MODELS.anthropic,
      max_tokens: 256,
      temperature: 0.2,
      system: SYSTEM,
      messages: [{ role: 'user', content }],
    };
    if (stream) body.stream = true;
    return {
      path: '/v1/messages',
      headers: { 'x-api-key': 'sk-mock', 'anthropic-version': '2023-06-01' },
      body,
    };
  }
  const parts = img ? [{ text }, { inlineData: { mimeType: 'image/png', data: image(img) } }] : [{ text }];
  const body = {
    systemInstruction: { parts: [{ text: SYSTEM }] },
    contents: [{ role: 'user', parts }],
    generationConfig: { maxOutputTokens: 256, temperature: 0.2 },
  };
  const route = `/v1beta/models/${MODELS.google}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
  return { path: route, headers: { 'x-goog-api-key': 'sk-mock' }, body };
}

// id, provider, stream, mock marker, image, concurrencies (null: the run's), description
const DEFINITIONS = [
  ['S1', 'openai', false, '[[mock chunks=20]]', null, null, 'text → OpenAI (passthrough), non-stream'],
  ['S2', 'anthropic', false, '[[mock chunks=20]]', null, null, 'text → Claude Messages, non-stream'],
  ['S3', 'google', false, '[[mock chunks=20]]', null, null, 'text → Gemini generateContent, non-stream'],
  [
    'S4',
    'anthropic',
    true,
    '[[mock chunks=50 delay=0]]',
    null,
    null,
    'stream → Claude, 50 chunks back to back',
  ],
  [
    'S4t',
    'anthropic',
    true,
    '[[mock chunks=50 delay=4]]',
    null,
    [1],
    'stream → Claude, 50 chunks 4 ms apart (buffering check)',
  ],
  ['S5a1', 'anthropic', false, '[[mock chunks=20]]', '1m', null, '~1 MiB base64 PNG → Claude'],
  ['S5a5', 'anthropic', false, '[[mock chunks=20]]', '5m', null, '~5 MiB base64 PNG → Claude'],
  ['S5g1', 'google', false, '[[mock chunks=20]]', '1m', null, '~1 MiB base64 PNG → Gemini'],
  ['S5g5', 'google', false, '[[mock chunks=20]]', '5m', null, '~5 MiB base64 PNG → Gemini'],
  [
    'S5a5x',
    'anthropic',
    false,
    '[[mock chunks=20]]',
    '5m-over',
    null,
    '5 MiB + 1.5 KB base64 PNG → Claude (over its limit: fitted)',
  ],
  ['S6', 'google', false, '[[mock chunks=20]]', '20m', null, '20 MB PNG (26.7 MB base64) → Gemini'],
  // extras, not in the default set
  [
    'S4o',
    'openai',
    true,
    '[[mock chunks=50 delay=0]]',
    null,
    null,
    'stream → OpenAI (passthrough), 50 chunks',
  ],
  ['S4g', 'google', true, '[[mock chunks=50 delay=0]]', null, null, 'stream → Gemini, 50 chunks'],
  // the fixed cost of a stream (S4 minus S4a1 is the cost of 49 more chunks)
  ['S4a1', 'anthropic', true, '[[mock chunks=1 delay=0]]', null, null, 'stream → Claude, 1 chunk'],
  ['S5o5', 'openai', false, '[[mock chunks=20]]', '5m', null, '~5 MiB base64 PNG → OpenAI (passthrough)'],
];
const DEFAULT_SET = ['S1', 'S2', 'S3', 'S4', 'S4t', 'S5a1', 'S5a5', 'S5g1', 'S5g5', 'S6'];
const QUICK_SET = ['S1', 'S2', 'S3', 'S4', 'S4t', 'S5a5', 'S5g5', 'S6'];

const MOCK_ROUTE = { openai: 'openai', anthropic: 'anthropic', google: 'gemini' };

function build(ids) {
  return ids.map((id) => {
    const definition = DEFINITIONS.find((entry) => entry[0] === id);
    if (!definition)
      throw new Error(`unknown scenario ${id}; known: ${DEFINITIONS.map((entry) => entry[0]).join(',')}`);
    const [, provider, stream, marker, img, conc, description] = definition;
    const options = { marker, stream, img };
    const direct = directRequest(provider, options);
    return {
      id,
      provider,
      stream,
      img,
      description,
      conc,
      mockRoute: stream && provider === 'google' ? 'gemini-stream' : MOCK_ROUTE[provider],
      gateway: {
        path: '/v1/chat/completions',
        headers: {},
        body: Buffer.from(JSON.stringify(gatewayBody(provider, options))),
      },
      direct: { path: direct.path, headers: direct.headers, body: Buffer.from(JSON.stringify(direct.body)) },
      expectGateway: stream ? 'openai-sse' : 'openai-json',
      expectDirect: (stream
        ? { openai: 'openai-sse', anthropic: 'anthropic-sse', google: 'gemini-sse' }
        : { openai: 'openai-json', anthropic: 'anthropic-json', google: 'gemini-json' })[provider],
    };
  });
}

module.exports = { build, DEFINITIONS, DEFAULT_SET, QUICK_SET, MODELS };
