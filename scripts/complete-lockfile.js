#!/usr/bin/env node
// Adds the platform-specific optional packages (other OS/CPU builds of @swc/core, sharp, …) that npm leaves
// out of package-lock.json when the registry it reaches serves only this machine's platform; without them
// `npm ci` refuses the lock ("Missing: …@ from lock file"). Each entry gets the pinned version, `optional`,
// and the os/cpu/libc read from the package name, so npm skips it on other platforms without fetching it.
// Run after changing dependencies: `node scripts/complete-lockfile.js`.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const OS = [
  'darwin',
  'linux',
  'win32',
  'freebsd',
  'android',
  'openbsd',
  'netbsd',
  'sunos',
  'aix',
  'openharmony',
];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'loong64', 'riscv64', 'mips64el', 'wasm32'];

/** `@swc/core-linux-arm64-musl` → os linux, cpu arm64, libc musl (as those packages declare). */
function platformOf(name) {
  const words = name.toLowerCase().split(/[-/]/);
  const os = OS.find((candidate) => words.includes(candidate));
  const cpu =
    CPU.find((candidate) => words.includes(candidate)) ?? (words.includes('arm') ? 'arm' : undefined);
  const libc = words.includes('musl')
    ? 'musl'
    : words.includes('gnu') && os === 'linux'
      ? 'glibc'
      : undefined;
  return { os, cpu, libc };
}

const lockPath = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const packages = lock.packages;
const added = [];

for (const [location, entry] of Object.entries(packages)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${location ? `${location}/` : ''}node_modules/${name}`;
    const top = `node_modules/${name}`;
    if (packages[nested] || packages[top]) continue;
    const version = String(range).replace(/^[\^~=v]/, '');
    if (!/^\d+\.\d+\.\d+/.test(version)) throw new Error(`${name}: cannot pin the range "${range}"`);
    const { os, cpu, libc } = platformOf(name);
    packages[top] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      ...(os ? { os: [os] } : {}),
      ...(cpu ? { cpu: [cpu] } : {}),
      ...(libc ? { libc: [libc] } : {}),
    };
    added.push(`${name}@${version}`);
  }
}

lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added.length} optional platform package(s) to package-lock.json`);
