'use strict';
// Summarises a V8 .cpuprofile (from `npm run bench -- --profile`): self time by function and by package,
// and inclusive time of the functions whose names match an optional filter.
// node bench/lib/profile-summary.js <file.cpuprofile> [top=30] [inclusive-filter-regex]
const fs = require('node:fs');

const [file, topText = '30', filter] = process.argv.slice(2);
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const self = new Map();
for (let index = 0; index < profile.samples.length; index++) {
  const delta = profile.timeDeltas[index] ?? 0;
  self.set(profile.samples[index], (self.get(profile.samples[index]) ?? 0) + delta);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const label = (node) => {
  const frame = node.callFrame;
  const where = frame.url.replace(/^file:\/\//, '').replace(/.*node_modules\//, '~/');
  return `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
};
const packageOf = (node) => {
  const url = node.callFrame.url;
  if (!url) return node.callFrame.functionName.startsWith('(') ? node.callFrame.functionName : '(native)';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1];
  if (url.startsWith('node:')) return url.split('/')[0];
  return url.includes('/dist/')
    ? url
        .replace(/.*\/dist\//, 'dist/')
        .split('/')
        .slice(0, 4)
        .join('/')
    : url;
};
const bySelf = new Map();
const byPackage = new Map();
for (const [id, time] of self) {
  const node = nodes.get(id);
  bySelf.set(label(node), (bySelf.get(label(node)) ?? 0) + time);
  byPackage.set(packageOf(node), (byPackage.get(packageOf(node)) ?? 0) + time);
}
const top = Number(topText);
const print = (title, map) => {
  console.log(`\n${title}`);
  for (const [name, time] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(
      `${((100 * time) / total).toFixed(1).padStart(5)}%  ${(time / 1000).toFixed(0).padStart(6)} ms  ${name}`,
    );
  }
};
console.log(`total sampled ${(total / 1000).toFixed(0)} ms`);
print('self time by package', byPackage);
print('self time by function', bySelf);
if (filter) {
  const pattern = new RegExp(filter);
  const inclusive = new Map();
  for (const [id, time] of self) {
    const seen = new Set();
    for (let current = id; current !== undefined; current = parent.get(current)) {
      const name = label(nodes.get(current));
      if (pattern.test(name) && !seen.has(name)) {
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + time);
      }
    }
  }
  print(`inclusive time of functions matching /${filter}/`, inclusive);
}
