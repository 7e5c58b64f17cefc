#!/usr/bin/env bash
# Runs before anything of a bot's branch is installed or run: passes only when the branch, since it
# left <base>, changes nothing but pins (overlays/<env>/images.yaml) and generated output (dist/).
# A branch that also changes code, dependencies or workflows (a dependency update, a hand-pushed
# commit) is left to the ordinary, read-only pull-request checks: the job that may push never runs it.
#
# usage: only-pin-changes.sh <base revision>
set -euo pipefail

base="${1:?usage: only-pin-changes.sh <base revision>}"
fork="$(git merge-base "$base" HEAD)"
others="$(git diff --name-only --no-renames "$fork" HEAD | grep -Ev '^(overlays/[^/]+/images\.yaml|dist/.*)$' || true)"
if [ -n "$others" ]; then
  echo "only-pin-changes.sh: this branch changes more than pins, so it is not re-synthesized with write access: $(echo "$others" | head -5 | paste -sd ' ')" >&2
  exit 1
fi
echo "only pins and dist/ change since $(git rev-parse --short "$fork")"
