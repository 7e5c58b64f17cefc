#!/usr/bin/env bash
# Runs in CI on a push to a Flux image-update branch: re-synthesizes (adopting Flux's values into
# the pins where needed), commits the generated changes back to the same branch, and writes the
# pull-request body: a table of the image pins that move relative to the base branch.
#
# usage: flux-update-pr.sh <base-branch> <body-file>
# env:   MANIFOLD  the manifold command (default: pnpm -s manifold)
#        GIT_AUTHOR_NAME / GIT_AUTHOR_EMAIL for the re-synthesis commit (default: manifold-bot)
set -euo pipefail

base="${1:?usage: flux-update-pr.sh <base-branch> <body-file>}"
body="${2:?usage: flux-update-pr.sh <base-branch> <body-file>}"
source "$(dirname "$0")/bot-commit.sh"

git fetch --quiet origin "$base"
"$(dirname "$0")/resynthesize-branch.sh" "chore(dist): re-synthesize after Flux image update"
{
  echo "Flux image automation moved these pins. \`pnpm synth --check\` is green on this branch."
  echo
  "${manifold[@]}" images diff --base "origin/$base" --markdown
} >"$body"
