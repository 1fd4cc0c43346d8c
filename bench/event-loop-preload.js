'use strict';
// Preloaded into the gateway by bench/run.js (`node -r ./bench/event-loop-preload.js dist/.../main.js`).
// Measures event-loop delay with perf_hooks.monitorEventLoopDelay and answers the harness over the IPC
// channel: {type:'eld-reset'} starts a new measurement, {type:'eld-read'} returns the histogram (ms).
// Without an IPC channel (started by hand) it does nothing. Not part of the product.
const { monitorEventLoopDelay } = require('node:perf_hooks');

if (typeof process.send === 'function') {
  const resolution = Number(process.env.BENCH_ELD_RESOLUTION_MS || 10);
  const histogram = monitorEventLoopDelay({ resolution });
  histogram.enable();
  const ms = (ns) => Math.round((ns / 1e6) * 100) / 100;
  process.on('message', (message) => {
    if (!message || typeof message !== 'object') return;
    if (message.type === 'eld-reset') {
      histogram.reset();
      process.send({ type: 'eld-reset-done', id: message.id });
    } else if (message.type === 'eld-read') {
      process.send({
        type: 'eld',
        id: message.id,
        resolutionMs: resolution,
        // The timer's own interval is not a delay: monitorEventLoopDelay reports only the lateness.
        minMs: ms(histogram.min),
        meanMs: ms(histogram.mean),
        p50Ms: ms(histogram.percentile(50)),
        p99Ms: ms(histogram.percentile(99)),
        maxMs: ms(histogram.max),
        samples: histogram.count,
      });
    }
  });
  // The channel must not keep the gateway alive on its own.
  process.channel?.unref();
}
