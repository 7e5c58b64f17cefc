#!/usr/bin/env bash
# Writes the release board (pnpm manifold board) into $BOARD_OUT (default board/). With a Pulumi
# token, each environment that has an esc: block is compared with its ESC environment first, and the
# board shows where they differ.
set -euo pipefail
manifold=${MANIFOLD:-pnpm -s manifold}
out=${BOARD_OUT:-board}
args=()
if [ -n "${PULUMI_ACCESS_TOKEN:-}" ]; then
  mkdir -p .cache/board-drift
  for dir in overlays/*/; do
    env=$(basename "$dir")
    grep -q '^esc:' "$dir/environment.yaml" 2>/dev/null || continue
    report=".cache/board-drift/$env.json"
    # Exit 1 means "differs" and the report is what the board shows; anything else means ESC was not read.
    status=0
    $manifold esc pull "$env" --check --json >"$report" || status=$?
    if [ "$status" -le 1 ]; then
      args+=(--drift "$env=$report")
    else
      echo "board: no ESC comparison for $env (esc pull exited $status)" >&2
    fi
  done
fi
$manifold board --out "$out" "${args[@]}"
