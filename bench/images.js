#!/usr/bin/env node
'use strict';
// Image-layer benchmark (jest-free): CPU time, wall time, event-loop blocking and peak memory to take a base64
// image from the request body to the upstream body — JSON.parse of the client body, ImageLayer.prepare, and
// JSON.stringify of the Claude-shaped and Gemini-shaped upstream bodies. Each scenario runs in a fresh child
// process so its peak RSS is its own. Usage: node bench/images.js [--runs 5]
// The TypeScript of libs/core is transpiled with @swc/core into a temp directory first (no build needed).
const { fork } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const MiB = 1024 * 1024;

function transpile() {
  const swc = require('@swc/core');
  // Inside node_modules/.cache so that `require('undici')` and `require('sharp')` resolve from the project.
  const cache = path.join(ROOT, 'node_modules/.cache');
  fs.mkdirSync(cache, { recursive: true });
  const out = fs.mkdtempSync(path.join(cache, 'iris-bench-images-'));
  const sourceRoot = path.join(ROOT, 'libs/core/src');
  const walk = (dir) =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === '__fixtures__' ? [] : walk(full);
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [full] : [];
    });
  const files = [
    ...walk(path.join(sourceRoot, 'images')),
    ...['gateway-error.ts', 'logger.ts'].map((name) => path.join(sourceRoot, name)),
  ];
  for (const file of files) {
    const { code } = swc.transformFileSync(file, {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    });
    const target = path.join(out, path.relative(sourceRoot, file)).replace(/\.ts$/, '.js');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, code);
  }
  return out;
}

/** A noisy JPEG (compresses like a detailed photo) whose base64 is close to `base64Length`. */
async function makeJpeg(base64Length) {
  const sharp = require('sharp');
  const targetBytes = (base64Length / 4) * 3;
  let side = Math.round(Math.sqrt(targetBytes / 0.9));
  for (let attempt = 0; attempt < 6; attempt++) {
    const pixels = require('node:crypto').randomBytes(side * side * 3);
    const jpeg = await sharp(pixels, { raw: { width: side, height: side, channels: 3 } })
      .jpeg({ quality: 92 })
      .toBuffer();
    if (Math.abs(jpeg.length - targetBytes) / targetBytes < 0.03 || attempt === 5) return { jpeg, side };
    side = Math.round(side * Math.sqrt(targetBytes / jpeg.length));
  }
  throw new Error('unreachable');
}

async function parent() {
  const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
  const compiled = transpile();
  const results = [];
  for (const megabytes of [5, 20]) {
    const { jpeg, side } = await makeJpeg(megabytes * 1e6);
    const body = JSON.stringify({
      model: 'bench',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Describe.' },
            { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${jpeg.toString('base64')}` } },
          ],
        },
      ],
    });
    const bodyFile = path.join(compiled, `body-${megabytes}.json`);
    fs.writeFileSync(bodyFile, body);
    for (const backend of ['claude', 'gemini']) {
      const result = await new Promise((resolve, reject) => {
        const child = fork(__filename, ['--child', compiled, bodyFile, backend, String(runs)], {
          execArgv: ['--expose-gc'],
          env: { ...process.env, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE || '4' },
        });
        child.once('message', resolve);
        child.once('error', reject);
        child.once('exit', (code) => code && reject(new Error(`child exited ${code}`)));
      });
      results.push({
        image: `${megabytes} MB base64 (${(jpeg.length / MiB).toFixed(2)} MiB JPEG ${side}×${side})`,
        backend,
        ...result,
      });
    }
  }
  console.log(
    `Node ${process.version}, ${os.cpus().length} CPU(s) ${os.cpus()[0].model}; ${runs} timed runs after the cold one\n`,
  );
  console.table(
    results.map((row) => ({
      image: row.image,
      backend: row.backend,
      action: row.actions,
      'cold cpu ms': row.cold.cpuMs,
      'median cpu ms': row.medianCpuMs,
      'median wall ms': row.medianWallMs,
      'max loop block ms': row.maxLoopBlockMs,
      'peak RSS over baseline MiB': row.peakRssDeltaMiB,
      'upstream body MiB': row.upstreamBodyMiB,
    })),
  );
  console.log('\nBreakdown of the cold run (ms of CPU): parse / prepare / stringify');
  for (const row of results)
    console.log(
      `  ${row.image} → ${row.backend}: ${row.cold.parseMs} / ${row.cold.prepareMs} / ${row.cold.stringifyMs}`,
    );
  fs.rmSync(compiled, { recursive: true, force: true });
}

async function child(compiled, bodyFile, backend, runs) {
  const { monitorEventLoopDelay } = require('node:perf_hooks');
  const { ImageLayer } = require(path.join(compiled, 'images/image-layer.js'));
  const { DEFAULT_IMAGE_SETTINGS } = require(path.join(compiled, 'images/image-settings.js'));
  const { imageOfPart } = require(path.join(compiled, 'images/prepared-image.js'));
  const { silentLogger } = require(path.join(compiled, 'logger.js'));
  // Claude: 5 MiB of base64 per image, 8000 px; Gemini: no GIF, 20 MB inline.
  const rules =
    backend === 'claude'
      ? {
          acceptsImageUrls: true,
          acceptedMediaTypes: ['image/png', 'image/jpeg', 'image/webp', 'image/gif'],
          maxBase64Length: 5 * MiB,
          maxImageSide: 8000,
        }
      : {
          acceptsImageUrls: false,
          acceptedMediaTypes: ['image/png', 'image/jpeg', 'image/webp'],
          maxImageBytes: 20 * MiB,
        };
  const layer = new ImageLayer(DEFAULT_IMAGE_SETTINGS, silentLogger);
  const text = fs.readFileSync(bodyFile, 'utf8');
  const toUpstream = (request) => {
    const part = request.messages[0].content[1];
    const image = imageOfPart(part);
    if (backend === 'claude') {
      return JSON.stringify({
        model: 'claude-opus-4-6',
        max_tokens: 1024,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Describe.' },
              { type: 'image', source: { type: 'base64', media_type: image.mediaType, data: image.data } },
            ],
          },
        ],
      });
    }
    return JSON.stringify({
      contents: [
        {
          role: 'user',
          parts: [{ text: 'Describe.' }, { inlineData: { mimeType: image.mediaType, data: image.data } }],
        },
      ],
    });
  };
  const cpu = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  };
  const once = async () => {
    const started = performance.now();
    const c0 = cpu();
    const request = JSON.parse(text);
    const c1 = cpu();
    const report = await layer.prepare(request, rules, { signal: new AbortController().signal });
    const c2 = cpu();
    const upstream = toUpstream(request);
    const c3 = cpu();
    return {
      parseMs: +(c1 - c0).toFixed(1),
      prepareMs: +(c2 - c1).toFixed(1),
      stringifyMs: +(c3 - c2).toFixed(1),
      cpuMs: +(c3 - c0).toFixed(1),
      wallMs: +(performance.now() - started).toFixed(1),
      upstreamBytes: upstream.length,
      actions: report.images[0].actions.join('+'),
    };
  };
  // Load sharp before the baseline so its shared libraries are not counted as image memory.
  await import('sharp');
  global.gc();
  const baselineRss = process.resourceUsage().maxRSS; // kB, before any image work (body text already read)
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const cold = await once();
  loop.disable();
  const peakRssDeltaMiB = +((process.resourceUsage().maxRSS - baselineRss) / 1024).toFixed(1);
  const timed = [];
  for (let run = 0; run < runs; run++) {
    global.gc();
    timed.push(await once());
  }
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  await layer.close();
  process.send({
    actions: cold.actions,
    cold,
    medianCpuMs: median(timed.map((run) => run.cpuMs)),
    medianWallMs: median(timed.map((run) => run.wallMs)),
    maxLoopBlockMs: +(loop.max / 1e6).toFixed(1),
    peakRssDeltaMiB,
    upstreamBodyMiB: +(cold.upstreamBytes / MiB).toFixed(2),
  });
}

if (process.argv[2] === '--child') {
  child(process.argv[3], process.argv[4], process.argv[5], Number(process.argv[6])).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  parent().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
