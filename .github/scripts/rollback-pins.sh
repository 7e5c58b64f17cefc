#!/usr/bin/env bash
# Rolls one image of an environment back — a number of pins back in the history of images.yaml, or to
# a reference — and holds it there so Flux and Renovate leave it, as a pull request or a commit.
#
# usage: rollback-pins.sh <env> <app/image> <steps or reference> <commit|pr> <base-branch> <body-file>
set -euo pipefail

usage='usage: rollback-pins.sh <env> <app/image> <steps or reference> <commit|pr> <base-branch> <body-file>'
env="${1:?$usage}"
target="${2:?$usage}"
back="${3:?$usage}"
mode="${4:?$usage}"
base="${5:?$usage}"
body="${6:?$usage}"

if [[ "$back" =~ ^[0-9]+$ ]]; then how=(--steps "$back"); else how=(--to "$back"); fi
exec "$(dirname "$0")/change-pins.sh" "$mode" "$base" "rollback/$env/${target//\//-}" "rollback($env): $target ${how[*]}" "$body" -- rollback "$env" "$target" "${how[@]}"
