'use strict';
// Markdown for one run: the machine, then one row per scenario × concurrency (Iris beside direct).

const number = (value, digits) =>
  value === null || value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits);
const signed = (value, digits = 2) =>
  value === null || value === undefined ? '–' : `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;

function renderMachine(run) {
  const m = run.machine;
  return [
    `Run ${run.date} at commit \`${run.commit}\` (${run.elapsedSeconds} s; ${run.options.duration} s per point` +
      `${run.options.quick ? ', --quick' : ''}${run.options.profile ? ', --profile (slower)' : ''}).`,
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, Linux ${m.kernel}, load average at the end ${m.loadAverage.join(' / ')}.`,
    `Gateway RSS after start and preflight: ${run.idleRssMB.toFixed(0)} MB.` +
      (run.broken.length
        ? ` Preflight FAILED (not measured): ${run.broken.join(', ')}.`
        : ' Preflight: every scenario answered correctly on both sides.'),
  ].join('\n');
}

function renderTable(run) {
  const rows = [
    '| scenario | c | direct req/s | Iris req/s | Iris ÷ direct | Iris p50 / p99 ms | added p50 / p99 ms | added TTFB p50 ms | Iris CPU ms/req | Iris peak RSS MB | loop delay max ms | longest GC pause ms | errors |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const keys = [...new Set(run.records.map((record) => `${record.scenario}|${record.conc}`))];
  for (const key of keys) {
    const [scenario, concText] = key.split('|');
    const conc = Number(concText);
    const direct = run.records.find((r) => r.scenario === scenario && r.conc === conc && r.side === 'direct');
    const iris = run.records.find((r) => r.scenario === scenario && r.conc === conc && r.side === 'iris');
    if (!iris) continue;
    const stream = scenario.startsWith('S4');
    const errors = iris.non2xx + iris.errors + iris.incomplete;
    rows.push(
      [
        '',
        `${scenario}`,
        conc,
        direct ? number(direct.rps, 0) : '–',
        number(iris.rps, 0),
        direct ? number(iris.rps / direct.rps, 3) : '–',
        `${number(iris.lat.p50, 2)} / ${number(iris.lat.p99, 2)}`,
        direct ? `${signed(iris.lat.p50 - direct.lat.p50)} / ${signed(iris.lat.p99 - direct.lat.p99)}` : '–',
        stream && direct ? signed(iris.ttfb.p50 - direct.ttfb.p50) : '',
        number(iris.cpuMsPerRequest, 3),
        number(iris.peakRssMB, 0),
        iris.eventLoop ? number(iris.eventLoop.maxMs, 1) : '–',
        iris.eventLoop ? number(iris.eventLoop.gcMaxPauseMs, 1) : '–',
        errors ? String(errors) : '0',
        '',
      ]
        .join(' | ')
        .trim(),
    );
  }
  const legend = [
    '',
    'Scenarios: ' +
      [
        ...new Map(
          run.records.map((r) => [
            r.scenario,
            `${r.scenario} ${r.description} (${(r.bodyBytes / 2 ** 20).toFixed(2)} MiB body)`,
          ]),
        ).values(),
      ].join('; ') +
      '.',
  ];
  return rows.join('\n') + '\n' + legend.join('\n');
}

module.exports = { renderTable, renderMachine };

if (require.main === module) {
  // node bench/lib/report.js bench/results/bench-<time>.json : re-print a saved run
  const run = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
  console.log(`${renderMachine(run)}\n\n${renderTable(run)}`);
}
