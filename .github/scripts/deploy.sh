#!/usr/bin/env bash
# Deploys one image on demand: pins <app/image> in <env> to a tag (the pinned repository is kept) or a
# full reference, digest resolved from the registry, and delivers it as a commit or a pull request.
#
# usage: deploy.sh <env> <app/image> <tag or reference> <commit|pr> <base-branch> <body-file>
set -euo pipefail

usage='usage: deploy.sh <env> <app/image> <tag or reference> <commit|pr> <base-branch> <body-file>'
env="${1:?$usage}"
target="${2:?$usage}"
value="${3:?$usage}"
mode="${4:?$usage}"
base="${5:?$usage}"
body="${6:?$usage}"
source "$(dirname "$0")/bot-commit.sh"

ref="$value"
if [[ "$value" != */* ]]; then
  # A bare tag: keep the repository the environment pins now.
  repository="$("${manifold[@]}" images "$env" --json | TARGET="$target" node -e '
    const rows = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
    const row = rows.find((candidate) => candidate.image === process.env.TARGET);
    if (!row) { console.error(`no pin named ${process.env.TARGET}; give app/image as pnpm images lists it`); process.exit(2); }
    console.log(row.repository);')"
  ref="$repository:$value"
fi
exec "$(dirname "$0")/change-pins.sh" "$mode" "$base" "deploy/$env/${target//\//-}" "deploy($env): $target $ref" "$body" -- pin "$env" "$target=$ref"
