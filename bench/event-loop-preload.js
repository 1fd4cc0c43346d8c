'use strict';
// Preloaded into the gateway by bench/run.js (`node -r ./bench/event-loop-preload.js dist/.../main.js`).
// Measures event-loop delay with perf_hooks.monitorEventLoopDelay, and the garbage collector's pauses of the
// main thread (PerformanceObserver 'gc' entries), so a long stall can be told apart from a long GC pause.
// Answers the harness over the IPC channel: {type:'eld-reset'} starts a new measurement, {type:'eld-read'}
// returns the histogram and the GC figures (ms).
// Without an IPC channel (started by hand) it does nothing. Not part of the product.
const { monitorEventLoopDelay, PerformanceObserver } = require('node:perf_hooks');

if (typeof process.send === 'function') {
  const resolution = Number(process.env.BENCH_ELD_RESOLUTION_MS || 10);
  const histogram = monitorEventLoopDelay({ resolution });
  histogram.enable();
  let gc = { maxPauseMs: 0, totalPauseMs: 0, pauses: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.pauses++;
      gc.totalPauseMs += entry.duration;
      if (entry.duration > gc.maxPauseMs) gc.maxPauseMs = entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  const ms = (ns) => Math.round((ns / 1e6) * 100) / 100;
  process.on('message', (message) => {
    if (!message || typeof message !== 'object') return;
    if (message.type === 'eld-reset') {
      histogram.reset();
      gc = { maxPauseMs: 0, totalPauseMs: 0, pauses: 0 };
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
        gcMaxPauseMs: Math.round(gc.maxPauseMs * 100) / 100,
        gcTotalPauseMs: Math.round(gc.totalPauseMs * 10) / 10,
        gcPauses: gc.pauses,
      });
    }
  });
  // The channel must not keep the gateway alive on its own.
  process.channel?.unref();
}
