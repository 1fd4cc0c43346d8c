'use strict';
// Side-by-side table (direct, Portkey, Iris) from a raw run of the shared harness (../shared/bench):
// node bench/lib/shared-table.js <shared>/results/raw/bench-<time>.json [gateway-name=iris]
// Means over passes; ratios and "added" are taken within each pass, then averaged.
const fs = require('node:fs');

const [file, gatewayName = 'iris'] = process.argv.slice(2);
const run = JSON.parse(fs.readFileSync(file, 'utf8'));
const records = run.results ?? run.records;
const mean = (values) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN);
const find = (rep, scenario, conc, target) =>
  records.find((r) => r.rep === rep && r.scenario === scenario && r.conc === conc && r.target === target);
const fixed = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const signed = (value) => (Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(2)}` : '–');

const keys = [...new Set(records.map((r) => `${r.scenario}|${r.conc}`))];
const reps = [...new Set(records.map((r) => r.rep))];
const rows = [
  '| scen | c | direct req/s | Portkey req/s | Iris req/s | Iris ÷ Portkey | added p50 ms Portkey / Iris | added p99 ms Portkey / Iris | added TTFB p50 ms Portkey / Iris | CPU ms/req Portkey / Iris | peak RSS MB Portkey / Iris |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
];
for (const key of keys) {
  const [scenario, concText] = key.split('|');
  const conc = Number(concText);
  const per = reps
    .map((rep) => ({
      d: find(rep, scenario, conc, 'direct'),
      p: find(rep, scenario, conc, 'portkey'),
      i: find(rep, scenario, conc, gatewayName),
    }))
    .filter((x) => x.d && x.p && x.i);
  if (!per.length) continue;
  const stream = scenario.startsWith('S4');
  const m = (f) => mean(per.map(f));
  rows.push(
    `| ${scenario} | ${conc} | ${fixed(
      m((x) => x.d.rps),
      0,
    )} | ${fixed(
      m((x) => x.p.rps),
      0,
    )} | ${fixed(
      m((x) => x.i.rps),
      0,
    )} | ` +
      `${fixed(
        m((x) => x.i.rps / x.p.rps),
        1,
      )}× | ${signed(m((x) => x.p.lat.p50 - x.d.lat.p50))} / ${signed(m((x) => x.i.lat.p50 - x.d.lat.p50))} | ` +
      `${signed(m((x) => x.p.lat.p99 - x.d.lat.p99))} / ${signed(m((x) => x.i.lat.p99 - x.d.lat.p99))} | ` +
      (stream
        ? `${signed(m((x) => x.p.ttfb.p50 - x.d.ttfb.p50))} / ${signed(m((x) => x.i.ttfb.p50 - x.d.ttfb.p50))}`
        : '') +
      ` | ${fixed(
        m((x) => x.p.procCpuMsPerReq),
        3,
      )} / ${fixed(
        m((x) => x.i.procCpuMsPerReq),
        3,
      )} | ` +
      `${fixed(Math.max(...per.map((x) => x.p.procPeakRssMB)), 0)} / ${fixed(Math.max(...per.map((x) => x.i.procPeakRssMB)), 0)} |`,
  );
}
console.log(rows.join('\n'));
