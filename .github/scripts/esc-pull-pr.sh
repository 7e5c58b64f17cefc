#!/usr/bin/env bash
# Runs in CI on dispatch or on a schedule: takes an environment's pins from its Pulumi ESC environment
# (pnpm manifold esc pull), commits the pins and the re-synthesized dist/ to a branch, pushes it and
# writes the pull-request body. Exits 0 with no branch when ESC and the pins agree.
#
# usage: esc-pull-pr.sh <env> <base-branch> <body-file>
# env:   MANIFOLD  the manifold command (default: pnpm -s manifold)
#        PULUMI_ACCESS_TOKEN (or the variable esc.tokenVariable names), registry credentials as for pin
#        GIT_AUTHOR_NAME / GIT_AUTHOR_EMAIL for the commit (default: manifold-bot)
set -euo pipefail

env_name="${1:?usage: esc-pull-pr.sh <env> <base-branch> <body-file>}"
base="${2:?usage: esc-pull-pr.sh <env> <base-branch> <body-file>}"
body="${3:?usage: esc-pull-pr.sh <env> <base-branch> <body-file>}"
source "$(dirname "$0")/bot-commit.sh"
branch="esc/pull/${env_name}"

git fetch --quiet origin "$base"
git checkout --quiet -B "$branch" "origin/$base"
if "${manifold[@]}" esc pull "$env_name" --check >/dev/null; then
  echo "esc-pull-pr: ${env_name} already matches ESC; nothing to do"
  : >"$body"
  exit 0
fi
"${manifold[@]}" esc pull "$env_name"
commit_pins "deploy(${env_name}): pins from Pulumi ESC"
git push --quiet --force origin "HEAD:refs/heads/$branch"
{
  echo "Pins of \`${env_name}\` taken from its Pulumi ESC environment. \`pnpm synth --check\` is green on this branch."
  echo
  "${manifold[@]}" images diff --base "origin/$base" --markdown
} >"$body"
echo "esc-pull-pr: pushed $branch"
