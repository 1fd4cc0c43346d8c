'use strict';
// Linux /proc helpers: find the PID listening on a port, CPU ticks, RSS/HWM.
const fs = require('node:fs');

const CLK_TCK = 100; // Linux USER_HZ; true on all mainstream x86_64/arm64 kernels

function read(p) {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return null;
  }
}

function listenInodes(port) {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set();
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const t = read(f);
    if (!t) continue;
    for (const line of t.split('\n').slice(1)) {
      const c = line.trim().split(/\s+/);
      if (c.length < 10) continue;
      if (c[3] === '0A' && c[1].endsWith(':' + hex)) inodes.add(c[9]);
    }
  }
  return inodes;
}

// PID(s) owning a LISTEN socket on `port` (needs permission to read /proc/*/fd).
function pidsListeningOn(port) {
  const inodes = listenInodes(port);
  if (!inodes.size) return [];
  const out = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let fds;
    try {
      fds = fs.readdirSync(`/proc/${d}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let l;
      try {
        l = fs.readlinkSync(`/proc/${d}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(l);
      if (m && inodes.has(m[1])) {
        out.push(Number(d));
        break;
      }
    }
  }
  return out;
}

function statFields(pid) {
  const t = read(`/proc/${pid}/stat`);
  if (!t) return null;
  const r = t.lastIndexOf(')');
  return t.slice(r + 2).split(' '); // fields from #3 (state) on
}

// pid plus all its descendants
function tree(pid) {
  const kids = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const f = statFields(d);
    if (!f) continue;
    const pp = Number(f[1]);
    if (!kids.has(pp)) kids.set(pp, []);
    kids.get(pp).push(Number(d));
  }
  const out = [];
  const q = [pid];
  while (q.length) {
    const p = q.shift();
    out.push(p);
    for (const k of kids.get(p) || []) q.push(k);
  }
  return out;
}

function cpuTicks(pids) {
  let s = 0;
  for (const p of pids) {
    const f = statFields(p);
    if (f) s += Number(f[11]) + Number(f[12]);
  } // utime + stime
  return s;
}

function statusKb(pid, key) {
  const t = read(`/proc/${pid}/status`);
  if (!t) return 0;
  const m = new RegExp('^' + key + ':\\s+(\\d+) kB', 'm').exec(t);
  return m ? Number(m[1]) : 0;
}
const rssKb = (pids) => pids.reduce((a, p) => a + statusKb(p, 'VmRSS'), 0);
const hwmKb = (pids) => pids.reduce((a, p) => a + statusKb(p, 'VmHWM'), 0);

// Reset VmHWM to the current RSS (write "5" to clear_refs); false if not allowed.
function resetHwm(pids) {
  let ok = true;
  for (const p of pids) {
    try {
      fs.writeFileSync(`/proc/${p}/clear_refs`, '5');
    } catch {
      ok = false;
    }
  }
  return ok;
}

function sysCpu() {
  const l = (read('/proc/stat') || '').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = (l[3] || 0) + (l[4] || 0);
  const total = l.reduce((a, b) => a + b, 0);
  return { idle, total };
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

module.exports = { CLK_TCK, pidsListeningOn, tree, cpuTicks, rssKb, hwmKb, resetHwm, sysCpu, alive };
