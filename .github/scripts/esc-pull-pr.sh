#!/usr/bin/env bash
# Runs in CI on dispatch or on a schedule: takes an environment's pins from its Pulumi ESC environment
# (pnpm manifold esc pull) onto the branch esc/pull/<env> with the re-synthesized dist/, pushes it and
# writes the pull-request body (see change-pins.sh). Exits 0 with no branch when ESC and the pins agree.
#
# usage: esc-pull-pr.sh <env> <base-branch> <body-file>
# env:   PULUMI_ACCESS_TOKEN (or the variable esc.tokenVariable names), registry credentials as for pin
set -euo pipefail

env_name="${1:?usage: esc-pull-pr.sh <env> <base-branch> <body-file>}"
base="${2:?usage: esc-pull-pr.sh <env> <base-branch> <body-file>}"
body="${3:?usage: esc-pull-pr.sh <env> <base-branch> <body-file>}"

exec "$(dirname "$0")/change-pins.sh" pr "$base" "esc/pull/$env_name" "deploy($env_name): pins from Pulumi ESC" "$body" -- esc pull "$env_name"
