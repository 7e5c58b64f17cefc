#!/usr/bin/env bash
# Runs in CI on a bot's branch (Flux image automation, Renovate) after it moved pins: checks the moved
# digests against the environments' verify: rules (a bot's pin is verified like anyone's), re-synthesizes,
# commits the generated changes back to the same branch as the bot, and checks that dist/ is current.
#
# usage: resynthesize-branch.sh <commit message>
# env:   MANIFOLD  the manifold command (default: pnpm -s manifold)
#        GIT_AUTHOR_NAME / GIT_AUTHOR_EMAIL for the commit (default: manifold-bot)
set -euo pipefail

message="${1:?usage: resynthesize-branch.sh <commit message>}"
source "$(dirname "$0")/bot-commit.sh"
branch="$(git rev-parse --abbrev-ref HEAD)"

"${manifold[@]}" verify >/dev/null
"${manifold[@]}" synth
if pins_changed; then
  commit_pins "$message"
  git push --quiet origin "HEAD:$branch"
fi
"${manifold[@]}" synth --check >/dev/null
