#!/usr/bin/env node
'use strict';
// Iris benchmark: the built gateway (dist/) as a child process in front of a mock upstream that speaks the
// OpenAI, Anthropic and Gemini wire formats, side by side with calling the mock directly, in one run.
// Per point: req/s, latency and TTFB percentiles (raw, sub-ms), added latency vs direct, the gateway's
// CPU ms per request and peak RSS (from /proc), and its event-loop delay (perf_hooks, via a preload).
// Loopback only, bounded in time. `node bench/run.js --help`.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const load = require('./lib/load');
const proc = require('./lib/proc');
const scenarioCatalogue = require('./lib/scenarios');
const { validate } = require('./lib/validate');
const { renderTable, renderMachine } = require('./lib/report');

const ROOT = path.resolve(__dirname, '..');
const GATEWAY_MAIN = path.join(ROOT, 'dist', 'apps', 'gateway', 'src', 'main.js');
const PRELOAD = path.join(__dirname, 'event-loop-preload.js');

const HELP = `npm run bench -- [options]
  --quick                ~1 min: fewer scenarios, 1.5 s per point
  --scenarios S1,S2,...  scenario ids (default ${scenarioCatalogue.DEFAULT_SET.join(',')}; extras S4o,S4g,S4a1,S5o5)
  --conc 1,64            concurrencies (S4t always runs at 1)
  --duration 3           seconds per measured point
  --warmup 1             seconds of warm-up per scenario and target
  --profile              run the gateway with --cpu-prof (profiles in bench/results/profiles/)
  --update-docs          write the table into docs/PERFORMANCE.md (between the bench markers)
  --gateway-cmd "..."    start this instead of node dist/apps/gateway/src/main.js (PORT/HOST/*_BASE_URL are set)
  --mock-port 19100 --gateway-port 13000
  --max-minutes 10       hard stop for the whole run`;

function parseArguments(argv) {
  const options = {
    quick: false,
    scenarios: null,
    conc: [1, 64],
    duration: 3,
    warmup: 1,
    profile: false,
    updateDocs: false,
    gatewayCmd: null,
    mockPort: 19100,
    gatewayPort: 13000,
    maxMinutes: 10,
  };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index];
    const value = () => argv[++index];
    if (flag === '--help' || flag === '-h') {
      console.log(HELP);
      process.exit(0);
    } else if (flag === '--quick') options.quick = true;
    else if (flag === '--profile') options.profile = true;
    else if (flag === '--update-docs') options.updateDocs = true;
    else if (flag === '--scenarios') options.scenarios = value().split(',');
    else if (flag === '--conc') options.conc = value().split(',').map(Number);
    else if (flag === '--duration') options.duration = Number(value());
    else if (flag === '--warmup') options.warmup = Number(value());
    else if (flag === '--gateway-cmd') options.gatewayCmd = value();
    else if (flag === '--mock-port') options.mockPort = Number(value());
    else if (flag === '--gateway-port') options.gatewayPort = Number(value());
    else if (flag === '--max-minutes') options.maxMinutes = Number(value());
    else throw new Error(`unknown option ${flag}\n${HELP}`);
  }
  if (options.quick) {
    options.scenarios ??= scenarioCatalogue.QUICK_SET;
    if (!argv.includes('--duration')) options.duration = 1.5;
    if (!argv.includes('--warmup')) options.warmup = 0.5;
  }
  options.scenarios ??= scenarioCatalogue.DEFAULT_SET;
  return options;
}

const startedAt = Date.now();
const log = (message) =>
  console.log(`[${String(Math.round((Date.now() - startedAt) / 1000)).padStart(4)}s] ${message}`);

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitForPort(port, timeoutMs, child) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) return false;
    if (await canConnect(port)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

const children = [];
function startChild(name, command, args, env, logFile, withIpc) {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', out, out, ...(withIpc ? ['ipc'] : [])],
  });
  fs.closeSync(out);
  child.benchName = name;
  children.push(child);
  return child;
}

/** Stops only the processes this run started, by PID: SIGTERM, then SIGKILL after 10 s. */
async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Asks the gateway's preload for its event-loop histogram (null when the gateway has no IPC channel). */
function eventLoop(child, type) {
  if (!child.connected) return Promise.resolve(null);
  const id = Math.random().toString(36).slice(2);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      resolve(null);
    }, 2000);
    const onMessage = (message) => {
      if (message && message.id === id) {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(message);
      }
    };
    child.on('message', onMessage);
    child.send({ type, id });
  });
}

async function mockStats(mockUrl) {
  const response = await fetch(`${mockUrl}/__stats`);
  return response.json();
}

function machine() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: os.release(),
    loadAverage: os.loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const hardDeadline = startedAt + options.maxMinutes * 60_000;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const resultsDirectory = path.join(__dirname, 'results');
  fs.mkdirSync(resultsDirectory, { recursive: true });

  if (!options.gatewayCmd && !fs.existsSync(GATEWAY_MAIN)) {
    log('dist/ is missing: building the gateway (npm run build)');
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  }
  for (const port of [options.mockPort, options.gatewayPort]) {
    if (await canConnect(port)) throw new Error(`port ${port} is in use; pass --mock-port / --gateway-port`);
  }

  // 1. mock upstream
  const mockUrl = `http://127.0.0.1:${options.mockPort}`;
  const mock = startChild(
    'mock',
    process.execPath,
    [path.join(__dirname, 'mock-upstream.js')],
    {
      MOCK_PORT: String(options.mockPort),
      MOCK_HOST: '127.0.0.1',
    },
    path.join(resultsDirectory, `mock-${stamp}.log`),
  );
  if (!(await waitForPort(options.mockPort, 5000, mock))) throw new Error('mock did not start');

  // 2. the gateway, as a child process, with the event-loop preload
  const gatewayUrl = `http://127.0.0.1:${options.gatewayPort}`;
  const gatewayEnv = {
    PORT: String(options.gatewayPort),
    HOST: '127.0.0.1',
    OPENAI_BASE_URL: `${mockUrl}/v1`,
    ANTHROPIC_BASE_URL: mockUrl,
    GEMINI_BASE_URL: mockUrl,
    OPENAI_API_KEY: 'sk-mock',
    ANTHROPIC_API_KEY: 'sk-mock',
    GEMINI_API_KEY: 'sk-mock',
    NODE_ENV: 'production',
  };
  const profileDirectory = path.join(resultsDirectory, 'profiles', stamp);
  const nodeArguments = ['-r', PRELOAD];
  if (options.profile) nodeArguments.push('--cpu-prof', '--cpu-prof-dir', profileDirectory);
  const gatewayLog = path.join(resultsDirectory, `gateway-${stamp}.log`);
  const gateway = options.gatewayCmd
    ? startChild('gateway', 'bash', ['-c', `exec ${options.gatewayCmd}`], gatewayEnv, gatewayLog, true)
    : startChild('gateway', process.execPath, [...nodeArguments, GATEWAY_MAIN], gatewayEnv, gatewayLog, true);
  if (!(await waitForPort(options.gatewayPort, 60_000, gateway)))
    throw new Error(`gateway did not start; see ${gatewayLog}`);
  const gatewayPids = () => proc.tree(gateway.pid);
  log(
    `mock pid ${mock.pid} on ${mockUrl}; gateway pid ${gateway.pid} on ${gatewayUrl} (log ${path.relative(ROOT, gatewayLog)})`,
  );

  // 3. scenarios and preflight: one request per side, checked for shape and upstream route
  const scenarios = scenarioCatalogue.build(options.scenarios);
  const sides = [
    {
      name: 'direct',
      url: mockUrl,
      request: (scenario) => ({ ...scenario.direct, kind: scenario.expectDirect }),
    },
    {
      name: 'iris',
      url: gatewayUrl,
      request: (scenario) => ({ ...scenario.gateway, kind: scenario.expectGateway }),
    },
  ];
  const broken = new Set();
  for (const scenario of scenarios) {
    for (const side of sides) {
      const request = side.request(scenario);
      const before = await mockStats(mockUrl);
      const response = await load.once(side.url, request.path, request.headers, request.body);
      const after = await mockStats(mockUrl);
      let error = validate(request.kind, response.status, response.text);
      const hits =
        (after.routes[scenario.mockRoute]?.count ?? 0) - (before.routes[scenario.mockRoute]?.count ?? 0);
      if (!error && hits < 1) error = `upstream route ${scenario.mockRoute} was not called`;
      if (error) {
        broken.add(`${side.name}/${scenario.id}`);
        log(`PREFLIGHT FAIL ${side.name} ${scenario.id}: ${error}`);
      }
    }
  }
  const idleRssMB = proc.rssKb(gatewayPids()) / 1024;
  log(
    `preflight done (${broken.size} failed); gateway RSS after start + preflight ${idleRssMB.toFixed(0)} MB`,
  );

  // 4. measurements: for each scenario and concurrency, direct then Iris, back to back
  const records = [];
  let stopped = false;
  for (const scenario of scenarios) {
    const concurrencies = scenario.conc ?? options.conc;
    for (const [concIndex, conc] of concurrencies.entries()) {
      for (const side of sides) {
        if (broken.has(`${side.name}/${scenario.id}`)) continue;
        if (Date.now() > hardDeadline) {
          stopped = true;
          break;
        }
        const request = side.request(scenario);
        const run = (connections, seconds) =>
          load.run({
            url: side.url,
            path: request.path,
            headers: request.headers,
            body: request.body,
            conc: connections,
            durationMs: seconds * 1000,
            kind: request.kind,
          });
        if (concIndex === 0 && options.warmup > 0)
          await run(Math.min(8, Math.max(...concurrencies)), options.warmup);
        const pids = side.name === 'iris' ? gatewayPids() : [mock.pid];
        proc.resetHwm(pids);
        if (side.name === 'iris') await eventLoop(gateway, 'eld-reset');
        const cpuBefore = proc.cpuTicks(pids);
        const mockBefore = proc.cpuTicks([mock.pid]);
        const rssStart = proc.rssKb(pids);
        let rssMax = rssStart;
        const sampler = setInterval(() => (rssMax = Math.max(rssMax, proc.rssKb(pids))), 100);
        const wallStart = performance.now();
        const out = await run(conc, options.duration);
        clearInterval(sampler);
        const wall = (performance.now() - wallStart) / 1000;
        const cpuSeconds = (proc.cpuTicks(pids) - cpuBefore) / proc.CLK_TCK;
        const eld = side.name === 'iris' ? await eventLoop(gateway, 'eld-read') : null;
        const record = {
          scenario: scenario.id,
          description: scenario.description,
          bodyBytes: request.body.length,
          conc,
          side: side.name,
          ...out,
          cpuCores: cpuSeconds / wall,
          cpuMsPerRequest: out.requests ? (cpuSeconds * 1000) / out.requests : null,
          peakRssMB: Math.max(proc.hwmKb(pids), rssMax) / 1024,
          rssStartMB: rssStart / 1024,
          mockCpuCores: (proc.cpuTicks([mock.pid]) - mockBefore) / proc.CLK_TCK / wall,
          eventLoop: eld,
        };
        records.push(record);
        const errors = out.non2xx + out.errors + out.incomplete;
        log(
          `${scenario.id.padEnd(5)} c=${String(conc).padEnd(3)} ${side.name.padEnd(6)} ${out.rps.toFixed(0).padStart(6)} req/s` +
            `  p50 ${out.lat.p50?.toFixed(2)} p99 ${out.lat.p99?.toFixed(2)} ms  ttfb p50 ${out.ttfb.p50?.toFixed(2)}` +
            `  cpu ${record.cpuMsPerRequest?.toFixed(3)} ms/req  rss ${record.peakRssMB.toFixed(0)} MB` +
            (eld ? `  loop max ${eld.maxMs} ms (longest GC pause ${eld.gcMaxPauseMs} ms)` : '') +
            (errors ? `  ERRORS ${errors}: ${out.firstErrors.join(' | ')}` : ''),
        );
      }
      if (stopped) break;
    }
    if (stopped) break;
  }
  if (stopped) log('--max-minutes reached: stopped early');

  // 5. stop, report
  await stopChild(gateway);
  await stopChild(mock);
  const run = {
    date: new Date().toISOString(),
    commit: gitCommit(),
    machine: machine(),
    options: { ...options, scenarios: options.scenarios.join(',') },
    idleRssMB,
    elapsedSeconds: Math.round((Date.now() - startedAt) / 1000),
    broken: [...broken],
    records,
  };
  const table = renderTable(run);
  const markdown = `${renderMachine(run)}\n\n${table}\n`;
  fs.writeFileSync(path.join(resultsDirectory, `bench-${stamp}.json`), JSON.stringify(run, null, 1));
  fs.writeFileSync(path.join(resultsDirectory, `bench-${stamp}.md`), markdown);
  fs.writeFileSync(path.join(resultsDirectory, 'latest.md'), markdown);
  console.log(`\n${markdown}`);
  if (options.profile) log(`CPU profile(s) in ${path.relative(ROOT, profileDirectory)}`);
  if (options.updateDocs) {
    const docs = path.join(ROOT, 'docs', 'PERFORMANCE.md');
    const text = fs.readFileSync(docs, 'utf8');
    const start = '<!-- bench:start -->';
    const end = '<!-- bench:end -->';
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < 0) throw new Error('docs/PERFORMANCE.md has no bench markers');
    fs.writeFileSync(docs, `${text.slice(0, from + start.length)}\n${markdown}${text.slice(to)}`);
    // Formatted as the lint step expects (`prettier --check .` in .ci/run), so the file can be committed as is.
    execFileSync(process.execPath, [require.resolve('prettier/bin/prettier.cjs'), '--write', docs], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    log('docs/PERFORMANCE.md updated');
  }
  log(`results in ${path.relative(ROOT, resultsDirectory)}/bench-${stamp}.{md,json}`);
}

const cleanup = async () => {
  for (const child of children) await stopChild(child).catch(() => {});
};
process.on('SIGINT', () => cleanup().then(() => process.exit(130)));
main().catch(async (error) => {
  console.error(error instanceof Error ? error.stack : error);
  await cleanup();
  process.exit(1);
});
